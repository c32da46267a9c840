package dev.vigil.runbook.engine;

import static org.awaitility.Awaitility.await;

import dev.vigil.Daemon;
import dev.vigil.TestDaemon;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.timer.FakeClock;
import dev.vigil.timer.FakeScheduler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A daemon in this JVM whose runbook time moves only by hand: runbooks written into its runbook
 * directory, alerts posted to its API, runs read from its engine.
 */
public final class RunbookFixture implements AutoCloseable {
  public static final Instant T0 = Instant.parse("2026-11-29T06:00:00Z");

  public final FakeClock clock = new FakeClock(T0);
  public FakeScheduler time = new FakeScheduler(clock);
  public TestDaemon d;
  private final Path dir;
  private final String config;
  private final Daemon.Probes probes;

  private RunbookFixture(
      Path dir, String config, Map<String, String> runbooks, Daemon.Probes probes) {
    this.dir = dir;
    this.config = config;
    this.probes = probes;
    try {
      Files.createDirectories(dir.resolve("runbooks"));
      for (Map.Entry<String, String> e : runbooks.entrySet()) {
        Files.writeString(dir.resolve("runbooks/" + e.getKey() + ".yaml"), e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    d = TestDaemon.startProbed(dir, config, Map.of(), clock, vertx -> time, probes);
  }

  /**
   * Stops the daemon (SIGTERM-like: runs pause where they are) and starts a new one on the same
   * store, with fresh timers.
   */
  public void restart() {
    d.close();
    FakeScheduler fresh = new FakeScheduler(clock);
    time = fresh;
    d = TestDaemon.startProbed(dir, config, Map.of(), clock, vertx -> fresh, probes);
  }

  public static RunbookFixture start(Path dir, String config, Map<String, String> runbooks) {
    return new RunbookFixture(dir, config, runbooks, Daemon.Probes.NONE);
  }

  public static RunbookFixture start(Path dir, String name, String runbook) {
    return new RunbookFixture(dir, "", Map.of(name, runbook), Daemon.Probes.NONE);
  }

  /** A daemon whose runbooks may use {@code kinds} (tests that bring their own step kind). */
  public static RunbookFixture start(Path dir, StepKinds kinds, Map<String, String> runbooks) {
    return new RunbookFixture(dir, "", runbooks, new Daemon.Probes(List.of(), s -> s, kinds));
  }

  /** Posts one firing alert with these labels; its incident's id. */
  public String fire(String labelsJson) {
    String body = "[{\"labels\": " + labelsJson + ", \"annotations\": {\"summary\": \"test\"}}]";
    var r = d.post("/api/v1/alerts", body);
    if (r.statusCode() != 202) {
      throw new IllegalStateException("alert refused: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body()).getJsonArray("incidents").getString(0);
  }

  public JsonObject incident(String id) {
    return new JsonObject(d.get("/api/v1/incidents/" + id).body());
  }

  /** Waits until the incident has a run and returns its id. */
  public RunId runOf(String incident) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !incident(incident).getJsonArray("runs").isEmpty());
    JsonArray runs = incident(incident).getJsonArray("runs");
    return RunId.parse(runs.getJsonObject(runs.size() - 1).getString("id")).orElseThrow();
  }

  public RunRecord run(RunId id) {
    try {
      return d.daemon
          .engine()
          .run(id)
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS)
          .orElseThrow();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public StepRun step(RunId id, String step) {
    return run(id).steps().stream().filter(s -> s.id().equals(step)).findFirst().orElseThrow();
  }

  public RunRecord awaitRun(RunId id, Predicate<RunRecord> p) {
    await().atMost(Duration.ofSeconds(20)).until(() -> p.test(run(id)));
    return run(id);
  }

  public RunRecord awaitStatus(RunId id, RunStatus status) {
    return awaitRun(id, r -> r.status() == status);
  }

  public StepRun awaitStep(RunId id, String step, StepStatus status) {
    await().atMost(Duration.ofSeconds(20)).until(() -> step(id, step).status() == status);
    return step(id, step);
  }

  /** Waits until a step is pending a retry or waiting, i.e. has a wake-up time stored. */
  public StepRun awaitWake(RunId id, String step) {
    await().atMost(Duration.ofSeconds(20)).until(() -> step(id, step).wakeAt() != null);
    StepRun s = step(id, step);
    await().atMost(Duration.ofSeconds(20)).until(() -> time.armed(s.wakeAt()));
    return s;
  }

  public JsonObject runJson(RunId id) {
    return new JsonObject(d.get("/api/v1/runs/" + id).body());
  }

  @Override
  public void close() {
    d.close();
  }
}
