package dev.vigil.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.fake.NotifyConfig;
import dev.vigil.timer.FakeClock;
import dev.vigil.timer.FakeScheduler;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted morning on a real daemon with a fake clock: three incidents opened at 06:00.
 *
 * <ul>
 *   <li>INC-1 DiskFull: eu is paged (critical pages while a runbook works); runbook {@code
 *       fix-disk} waits 3m and resolves it at 06:03, nobody acknowledges;
 *   <li>INC-2 HighCpu: team eu is paged; alice acknowledges at 06:05, resolves at 06:20;
 *   <li>INC-3 Latency: eu is paged; carol escalates by hand at 06:10 (team us is paged); bob
 *       acknowledges at 06:15, resolves at 06:45.
 * </ul>
 *
 * Without Slack or PagerDuty credentials, pages go to the log notifier.
 */
public final class Scenario implements AutoCloseable {
  public static final Instant T0 = Instant.parse("2026-11-29T06:00:00Z");

  public final FakeClock clock = new FakeClock(T0);
  public final FakeScheduler runbookTime = new FakeScheduler(clock);
  private final Path dir;
  private final String vigilYaml;
  public TestDaemon d;

  private Scenario(Path dir, String vigilYaml) throws IOException {
    this.dir = dir;
    this.vigilYaml = vigilYaml;
    TestDaemon.writeConfig(dir, vigilYaml);
    Files.writeString(
        dir.resolve("config/teams.yaml"),
        """
        teams:
          - id: eu
            region: emea
            timezone: Europe/Berlin
            coverage: [{ from: "00:00", to: "00:00" }]
            slack: { channel: "#ops-eu" }
          - id: us
            region: americas
            timezone: America/New_York
            coverage: [{ from: "00:00", to: "00:00" }]
            slack: { channel: "#ops-us" }
        escalation:
          policies:
            default:
              - { notify: active, ackTimeout: 1h }
              - { notify: "team:us" }
          bySeverity: { critical: default, error: default, warning: default, info: none }
        """);
    Files.writeString(
        dir.resolve("runbooks/fix-disk.yaml"),
        """
        name: fix-disk
        match: ['alertname = "DiskFull"']
        steps:
          - {id: settle, wait: 3m}
        onSuccess: resolve
        onFailure: escalate
        """);
    d = TestDaemon.start(dir, vigilYaml, Map.of(), clock, vertx -> runbookTime);
  }

  /** Starts a daemon and plays the morning out; {@code vigilYaml} is extra daemon config. */
  public static Scenario play(Path dir, String vigilYaml) throws IOException {
    Scenario s = new Scenario(dir, vigilYaml);
    s.script();
    return s;
  }

  private void script() {
    for (String alert : new String[] {"DiskFull", "HighCpu", "Latency"}) {
      assertThat(
              d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook(alert))
                  .statusCode())
          .isEqualTo(202);
    }
    awaitTimeline("INC-2", "escalated");
    awaitTimeline("INC-3", "escalated");
    await().atMost(Duration.ofSeconds(30)).until(() -> !runbookTime.pending().isEmpty());
    runbookTime.advance(Duration.ofMinutes(3));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "resolved".equals(incident("INC-1").getString("status")));

    at("06:05", "/api/v1/incidents/INC-2/acknowledge", "alice", 200);
    at("06:10", "/api/v1/incidents/INC-3/escalate", "carol", 200);
    at("06:15", "/api/v1/incidents/INC-3/acknowledge", "bob", 200);
    at("06:20", "/api/v1/incidents/INC-2/resolve", "alice", 200);
    at("06:45", "/api/v1/incidents/INC-3/resolve", "bob", 200);
  }

  private void at(String time, String path, String by, int status) {
    clock.set(Instant.parse("2026-11-29T" + time + ":00Z"));
    var r = d.post(path, "{\"by\": \"" + by + "\", \"text\": \"" + by + " at " + time + "\"}");
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
  }

  /** Stops the daemon and starts a new one on the same store. */
  public void restart() {
    d.close();
    d = TestDaemon.start(dir, vigilYaml, Map.of(), clock, vertx -> new FakeScheduler(clock));
  }

  public JsonObject incident(String id) {
    return new JsonObject(d.get("/api/v1/incidents/" + id).body());
  }

  public void awaitTimeline(String id, String kind) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                incident(id).getJsonArray("timeline").stream()
                    .anyMatch(e -> kind.equals(((JsonObject) e).getString("kind"))));
  }

  @Override
  public void close() {
    d.close();
  }

  /** A test class whose tests all look at one played {@link Scenario}. */
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  public abstract static class Played {
    protected Scenario s;

    @BeforeAll
    void play(@TempDir Path dir) throws IOException {
      s = Scenario.play(dir, "");
    }

    @AfterAll
    void stop() {
      s.close();
    }
  }
}
