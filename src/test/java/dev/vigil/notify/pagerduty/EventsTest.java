package dev.vigil.notify.pagerduty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.fake.FakePagerDutyRules;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Severity;
import dev.vigil.incident.StoredAlert;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventsTest {
  static final Instant T = Instant.parse("2026-11-29T05:55:40Z");

  static Incident incident(String title, Map<String, String> labels) {
    return new Incident(
        new IncidentId(42),
        IncidentStatus.TRIGGERED,
        Severity.ERROR,
        "http-5xx",
        "eu",
        title,
        "{}:{}",
        labels,
        1,
        1,
        T,
        null,
        null,
        null,
        null,
        false);
  }

  @Test
  void aTriggerCarriesTheIncidentIdAsDedupKeyAndLabelsAsContext() {
    Map<String, String> labels =
        Map.of("alertname", "HighErrorRate", "service", "checkout", "namespace", "prod");
    Alert a =
        new Alert(
            "c1b78d5e0e8bac2b",
            labels,
            Map.of("summary", "5xx > 5%"),
            AlertStatus.FIRING,
            T,
            null,
            "http://prom/graph");
    JsonObject e =
        Events.trigger(
            "0123456789abcdef0123456789abcdef",
            incident("HighErrorRate on checkout", labels),
            List.of(new StoredAlert(a, new IncidentId(42), T)),
            "https://vigil.example/api/v1/incidents/INC-42");
    assertThat(e.getString("dedup_key")).isEqualTo("INC-42");
    assertThat(e.getString("event_action")).isEqualTo("trigger");
    JsonObject p = e.getJsonObject("payload");
    assertThat(p.getString("summary")).isEqualTo("[INC-42] HighErrorRate on checkout");
    assertThat(p.getString("source")).isEqualTo("checkout");
    assertThat(p.getString("severity")).isEqualTo("error");
    assertThat(p.getString("timestamp")).isEqualTo("2026-11-29T05:55:40Z");
    assertThat(p.getString("component")).isEqualTo("checkout");
    assertThat(p.getString("group")).isEqualTo("prod");
    assertThat(p.getString("class")).isEqualTo("http-5xx");
    assertThat(p.getJsonObject("custom_details").getJsonObject("annotations").getString("summary"))
        .isEqualTo("5xx > 5%");
    assertThat(e.getJsonArray("links")).hasSize(2);
    assertThat(FakePagerDutyRules.validate(e)).isEmpty();
  }

  @Test
  void theSummaryIsCutTo1024Characters() {
    JsonObject e =
        Events.trigger(
            "0123456789abcdef0123456789abcdef",
            incident("x".repeat(5000), Map.of()),
            List.of(),
            "");
    String summary = e.getJsonObject("payload").getString("summary");
    assertThat(summary.codePointCount(0, summary.length())).isEqualTo(1024);
    assertThat(e.getJsonObject("payload").getString("source")).isEqualTo("vigil");
    assertThat(e.containsKey("links")).isFalse();
  }

  @Test
  void acknowledgeAndResolveNeedOnlyKeyDedupAndAction() {
    assertThat(Events.change("k", "INC-42", "resolve").fieldNames())
        .containsExactlyInAnyOrder("routing_key", "dedup_key", "event_action");
  }
}
