package dev.vigil.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.NotifyConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A heartbeat through a real daemon: the Watchdog stops, an incident opens and pages; it returns,
 * the incident resolves.
 */
class HeartbeatDaemonTest {
  /** The Watchdog itself is only recorded; missing for a second, it opens a critical incident. */
  static final String WATCHDOG_HEARTBEAT =
      """
      rules:
        - match: [ 'alertname = "Watchdog"' ]
          drop: true
      heartbeats:
        - name: watchdog
          match: [ 'alertname = "Watchdog"' ]
          missingAfter: 1s
          severity: critical
          summary: "No Watchdog: alerting is blind"
      """;

  @TempDir Path dir;

  static String watchdog() {
    return new JsonArray()
        .add(
            new JsonObject()
                .put(
                    "labels", new JsonObject().put("alertname", "Watchdog").put("severity", "none"))
                .put("startsAt", "2026-11-29T00:00:00Z"))
        .encode();
  }

  JsonArray incidents(TestDaemon d) {
    return new JsonObject(d.get("/api/v1/incidents?limit=10").body()).getJsonArray("incidents");
  }

  @Test
  void aMissingWatchdogOpensAnIncidentAndItsReturnResolvesIt() throws Exception {
    Files.createDirectories(dir.resolve("config"));
    Files.copy(Path.of("config/teams.yaml"), dir.resolve("config/teams.yaml"));
    Files.writeString(dir.resolve("config/classification.yaml"), WATCHDOG_HEARTBEAT);
    try (TestDaemon d = TestDaemon.start(dir, "", Map.of(), Clock.systemUTC())) {
      // no Watchdog arrives after the start: one second later the heartbeat incident opens
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  incidents(d).stream()
                      .anyMatch(
                          i ->
                              ((JsonObject) i)
                                  .getString("title")
                                  .equals("No Watchdog: alerting is blind")));
      JsonObject missing =
          incidents(d).stream()
              .map(i -> (JsonObject) i)
              .filter(i -> i.getString("title").equals("No Watchdog: alerting is blind"))
              .findFirst()
              .orElseThrow();
      assertThat(missing.getString("severity")).isEqualTo("critical");
      assertThat(missing.getString("type")).isEqualTo("heartbeat");
      assertThat(missing.getString("status")).isEqualTo("triggered");
      String id = missing.getString("id");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  new JsonObject(d.get("/api/v1/incidents/" + id).body())
                      .getJsonArray("timeline").stream()
                          .anyMatch(e -> ((JsonObject) e).getString("kind").equals("escalated")));

      assertThat(d.post("/api/v1/alerts", watchdog()).statusCode())
          .isEqualTo(202); // the Watchdog itself is only recorded
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  new JsonObject(d.get("/api/v1/incidents/" + id).body())
                      .getString("status")
                      .equals("resolved"));
      // the escalation stage writes its line after the resolve is committed: it follows shortly
      JsonObject resolved =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  () -> new JsonObject(d.get("/api/v1/incidents/" + id).body()),
                  i ->
                      i.getJsonArray("timeline").stream()
                          .anyMatch(
                              e ->
                                  ((JsonObject) e).getString("kind").equals("escalation-stopped")));
      assertThat(Instant.parse(resolved.getString("resolvedAt")))
          .isAfter(Instant.parse(resolved.getString("openedAt")));
    }
  }

  @Test
  void theHeartbeatsPageIsResolvedInPagerDutyWhenTheWatchdogReturns() throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty()) {
      String vigil = "pagerduty: {eventsUrl: \"" + pd.url() + "\"}\n";
      NotifyConfig.write(dir, NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY), vigil);
      Files.writeString(dir.resolve("config/classification.yaml"), WATCHDOG_HEARTBEAT);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        await().atMost(Duration.ofSeconds(15)).until(() -> !incidents(d).isEmpty());
        String id = incidents(d).getJsonObject(0).getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> pd.accepted(id, "trigger") == 1);
        assertThat(d.post("/api/v1/alerts", watchdog()).statusCode()).isEqualTo(202);
        // the page a heartbeat opened is closed where it was sent, like any resolved incident's
        await().atMost(Duration.ofSeconds(30)).until(() -> pd.accepted(id, "resolve") == 1);
      }
    }
  }
}
