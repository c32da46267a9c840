package dev.vigil.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code GET /api/v1/stats} after the scripted {@link Scenario}: exact numbers from the store, and
 * clear 400s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatsApiTest extends Scenario.Played {

  JsonObject stats(String query) {
    HttpResponse<String> r = s.d.get("/api/v1/stats" + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @Test
  void mttaMttrAndAutoResolutionAreExact() {
    JsonObject st = stats("?since=2026-11-29T00:00:00Z");
    assertThat(st.getInteger("incidents")).isEqualTo(3);
    // acknowledged after 5m and 15m
    assertThat(st.getJsonObject("mtta"))
        .isEqualTo(
            new JsonObject()
                .put("count", 2)
                .put("meanSeconds", 600.0)
                .put("p50Seconds", 300.0)
                .put("p90Seconds", 900.0));
    // resolved after 3m (runbook), 20m and 45m
    assertThat(st.getJsonObject("mttr"))
        .isEqualTo(
            new JsonObject()
                .put("count", 3)
                .put("meanSeconds", 1360.0)
                .put("p50Seconds", 1200.0)
                .put("p90Seconds", 2700.0));
    assertThat(st.getInteger("autoResolved")).isEqualTo(1);
    assertThat(st.getDouble("autoResolutionRate")).isEqualTo(1.0 / 3);
    assertThat(st.getInteger("escalated")).isEqualTo(1);
    assertThat(st.getDouble("escalationRate")).isEqualTo(1.0 / 3);
    assertThat(st.getJsonObject("pagesPerTeam"))
        .isEqualTo(new JsonObject().put("eu", 3L).put("us", 1L));
    assertThat(st.getJsonObject("runbooks"))
        .isEqualTo(
            new JsonObject()
                .put(
                    "fix-disk",
                    new JsonObject().put("runs", 1L).put("succeeded", 1L).put("successRate", 1.0)));
  }

  @Test
  void filtersNarrowTheIncidents() {
    assertThat(stats("?since=2026-11-29T00:00:00Z&team=eu").getInteger("incidents")).isEqualTo(3);
    JsonObject none = stats("?since=2026-11-29T00:00:00Z&team=apac");
    assertThat(none.getInteger("incidents")).isZero();
    assertThat(none.getValue("autoResolutionRate")).isNull();
    assertThat(none.getJsonObject("mttr").getValue("meanSeconds")).isNull();
    assertThat(stats("?since=2026-11-29T00:00:00Z&severity=info").getInteger("incidents")).isZero();
    assertThat(stats("?since=2026-11-29T00:00:00Z&severity=critical").getInteger("incidents"))
        .isEqualTo(3);
    // a duration counts back from now (06:45): 30m covers none of the 06:00 incidents
    assertThat(stats("?since=30m").getInteger("incidents")).isZero();
    assertThat(stats("?since=1h").getInteger("incidents")).isEqualTo(3);
    assertThat(stats("").getString("since")).isEqualTo("2026-11-22T06:45:00Z");
  }

  @Test
  void metricsCountTheSameMorning() {
    // counted as the changes happened (per process, unlike the stats); time to acknowledge 5m +
    // 15m, to resolve 3m + 20m + 45m
    String eu = "{severity=\"critical\",team=\"eu\"}";
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(s.d.get("/metrics").body())
                    .contains(
                        "vigil_alerts_received_total 3.0",
                        "vigil_alerts_accepted_total 3.0",
                        "vigil_incidents_opened_total" + eu + " 3.0",
                        "vigil_incidents_acknowledged_total" + eu + " 2.0",
                        "vigil_incidents_resolved_total" + eu + " 3.0",
                        "vigil_incident_time_to_acknowledge_seconds_count" + eu + " 2",
                        "vigil_incident_time_to_acknowledge_seconds_sum" + eu + " 1200.0",
                        "vigil_incident_time_to_resolve_seconds_count" + eu + " 3",
                        "vigil_incident_time_to_resolve_seconds_sum" + eu + " 4080.0",
                        "vigil_escalations_total{level=\"1\",team=\"eu\"} 3.0",
                        "vigil_escalations_total{level=\"2\",team=\"us\"} 1.0",
                        "vigil_runbook_runs_total{outcome=\"succeeded\",runbook=\"fix-disk\"} 1.0",
                        "vigil_timers_pending{scheduler=\"runbook\"} 0.0",
                        "vigil_timers_pending{scheduler=\"incident\"} ",
                        "vigil_outbox_pending ",
                        // the background sweeps, the leader's included, each counted by name
                        "vigil_sweep_runs_total{outcome=\"ok\",sweep=\"leadership\"}",
                        "vigil_sweep_runs_total{outcome=\"ok\",sweep=\"lost-escalations\"}",
                        "vigil_sweep_runs_total{outcome=\"failed\",sweep=\"outbox-delivery\"} 0.0",
                        "vigil_sweep_duration_seconds_count{sweep=\"outbox-depth\"}"));
  }

  /** Series that exist only with PagerDuty or Slack configured (the scenario has neither). */
  static final Set<String> WITH_INTEGRATIONS =
      Set.of("vigil_notifications_total", "vigil_circuit_state");

  @Test
  void theDashboardAndTheRulesUseOnlySeriesVigilExports() throws Exception {
    // a refused webhook makes the rejection counter appear
    assertThat(s.d.post("/api/v1/alerts/alertmanager", "{}").statusCode()).isEqualTo(400);
    String metrics = s.d.get("/metrics").body();
    Set<String> exported =
        metrics
            .lines()
            .filter(l -> !l.startsWith("#") && !l.isBlank())
            .map(l -> l.split("[{ ]")[0])
            .collect(Collectors.toSet());
    for (String file : List.of("docs/grafana/vigil.json", "docs/prometheus/vigil-rules.yml")) {
      Set<String> used = new TreeSet<>();
      Matcher m =
          Pattern.compile("\\b(?:vigil|vertx|jvm)_[a-z_]+")
              .matcher(Files.readString(Path.of(file)));
      while (m.find()) {
        used.add(m.group());
      }
      used.removeAll(WITH_INTEGRATIONS);
      assertThat(used).as(file).isNotEmpty();
      assertThat(exported).as(file + " uses series that /metrics does not have").containsAll(used);
    }
  }

  @Test
  @Order(Integer.MAX_VALUE) // a restart starts the metrics again from zero
  void statsSurviveARestart() {
    // computed from stored rows, not counters: a new daemon on the same store answers the same
    JsonObject before = stats("?since=2026-11-29T00:00:00Z");
    s.restart();
    assertThat(stats("?since=2026-11-29T00:00:00Z")).isEqualTo(before);
  }

  void assertBadRequest(String query, String message) {
    HttpResponse<String> r = s.d.get("/api/v1/stats" + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo(message);
  }

  @Test
  void aSinceThatIsNeitherATimeNorADurationIs400() {
    assertBadRequest(
        "?since=yesterday",
        "since: expected a time like 2026-11-29T00:00:00Z or a duration back from now like 24h or 7d, got \"yesterday\"");
  }

  @Test
  void aSinceInTheFutureIs400() {
    assertBadRequest(
        "?since=2026-12-01T00:00:00Z",
        "since: 2026-12-01T00:00:00Z is in the future (now is 2026-11-29T06:45:00Z)");
  }

  @Test
  void anUnknownSeverityIs400() {
    assertBadRequest(
        "?severity=urgent",
        "severity: expected one of critical, error, warning, info, got \"urgent\"");
  }

  @Test
  void anUnknownParameterIs400() {
    assertBadRequest(
        "?teams=eu", "teams: unknown parameter; /api/v1/stats takes since, team and severity");
  }
}
