package dev.vigil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Alertmanager delivers real webhooks to Vigil, with a bearer token. */
class AlertmanagerIT {
  @TempDir Path dir;

  @Test
  void anAlertBecomesAnIncidentAndItsResolutionResolvesIt() throws Exception {
    RealAlertmanager.assumeInstalled();
    String token = "am-webhook-token";
    try (TestDaemon vigil = TestDaemon.start(dir, "auth: {webhookTokens: [\"" + token + "\"]}");
        RealAlertmanager am =
            RealAlertmanager.start(dir, vigil.url("/api/v1/alerts/alertmanager"), token)) {
      Instant start = Instant.now().minusSeconds(60);
      String alert =
          """
          [{"labels": {"alertname": "CheckoutErrors", "service": "checkout", "instance": "web-1", "severity": "critical"},
            "annotations": {"summary": "5xx above 5%% on checkout"},
            "startsAt": "%s", "endsAt": "%s", "generatorURL": "http://prometheus:9090/graph"}]""";
      am.postAlerts(alert.formatted(start, Instant.now().plusSeconds(3600)));

      JsonObject incident =
          await().atMost(Duration.ofSeconds(30)).until(() -> firstIncident(vigil), i -> i != null);
      assertThat(incident.getString("title")).isEqualTo("5xx above 5% on checkout");
      assertThat(incident.getString("severity")).isEqualTo("critical");
      assertThat(incident.getString("status")).isEqualTo("triggered");
      JsonObject detail =
          new JsonObject(vigil.get("/api/v1/incidents/" + incident.getString("id")).body());
      JsonObject stored = detail.getJsonArray("alerts").getJsonObject(0);
      assertThat(stored.getJsonObject("labels").getString("service")).isEqualTo("checkout");
      assertThat(stored.getString("generatorURL")).isEqualTo("http://prometheus:9090/graph");
      assertThat(detail.getString("groupKey")).isEqualTo("{}:{alertname=\"CheckoutErrors\"}");

      am.postAlerts(alert.formatted(start, Instant.now().minusSeconds(1)));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "resolved".equals(firstIncident(vigil).getString("status")));
      JsonObject resolved = firstIncident(vigil);
      assertThat(resolved.getString("resolvedBy")).isEqualTo("alertmanager");
      assertThat(new JsonObject(vigil.get("/api/v1/incidents").body()).getJsonArray("incidents"))
          .hasSize(1);
    }
  }

  private static JsonObject firstIncident(TestDaemon vigil) {
    JsonArray list =
        new JsonObject(vigil.get("/api/v1/incidents").body()).getJsonArray("incidents");
    return list.isEmpty() ? null : list.getJsonObject(0);
  }
}
