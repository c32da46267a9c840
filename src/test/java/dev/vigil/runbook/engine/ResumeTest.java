package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.ha.Replica;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs across a restart of the daemon (same store, same clock): a wait waits only for what is left,
 * an approval keeps waiting, a step that was running runs again unless it says onResume: fail, and
 * a run keeps the runbook version it started with even after the file changed.
 */
class ResumeTest extends EngineScenario {
  RunId fire(String name) {
    return f.runOf(f.fire("{\"alertname\": \"" + name + "\"}"));
  }

  @Test
  void aWaitWaitsOnlyForWhatIsLeftAndTheRunKeepsItsVersion() throws Exception {
    server.ok("/old", "{}").ok("/new", "{}");
    f =
        RunbookFixture.start(
            dir,
            "nap",
            rb(
                "nap",
                """
        timeout: 1h
        steps:
          - {id: nap, wait: 10m}
          - {id: after, needs: [nap], http: {url: "$BASE/old"}}
        """));
    RunId run = fire("nap");
    Instant wake = f.awaitWake(run, "nap").wakeAt();
    assertThat(wake).isEqualTo(RunbookFixture.T0.plus(Duration.ofMinutes(10)));
    // the file changes while the run waits; the run keeps the version it started with
    Files.writeString(
        dir.resolve("runbooks/nap.yaml"),
        rb(
            "nap",
            """
        timeout: 1h
        steps:
          - {id: nap, wait: 10m}
          - {id: after, needs: [nap], http: {url: "$BASE/new"}}
        """));
    f.restart();
    f.clock.advance(Duration.ofMinutes(4)); // down for four minutes
    assertThat(f.awaitWake(run, "nap").wakeAt()).isEqualTo(wake);
    f.time.advance(Duration.ofMinutes(5));
    assertThat(f.step(run, "nap").status()).isEqualTo(StepStatus.WAITING);
    f.time.advance(Duration.ofMinutes(1));
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(f.step(run, "nap").endedAt()).isEqualTo(wake);
    assertThat(server.count("/old")).isEqualTo(1);
    assertThat(server.count("/new")).isZero();
    String newRun =
        f.d
            .post("/api/v1/runbooks/nap/runs", "{\"incident\": \"" + f.run(run).incident() + "\"}")
            .body();
    assertThat(newRun).as("a new run takes the new version").doesNotContain(f.run(run).version());
  }

  @Test
  void anApprovalKeepsWaitingAcrossARestart() {
    f =
        RunbookFixture.start(
            dir,
            "ask",
            rb(
                "ask",
                """
        timeout: 2h
        steps:
          - {id: ask, approval: {text: "go?", timeout: 1h}}
        """));
    RunId run = fire("ask");
    Instant timeout = f.awaitWake(run, "ask").wakeAt();
    f.restart();
    f.awaitWake(run, "ask");
    assertThat(f.step(run, "ask").status()).isEqualTo(StepStatus.WAITING);
    assertThat(f.step(run, "ask").wakeAt()).isEqualTo(timeout);
    assertThat(f.d.post("/api/v1/runs/" + run + "/approve", "{\"by\": \"dana\"}").statusCode())
        .isEqualTo(200);
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(f.step(run, "ask").output()).containsEntry("by", "dana");
  }

  @Test
  void aStepThatWasRunningRunsAgainUnlessItSaysOnResumeFail() {
    server
        .route("/again", n -> n == 1 ? LocalServer.HOLD : new LocalServer.Reply(200, "{}"))
        .route("/once", n -> n == 1 ? LocalServer.HOLD : new LocalServer.Reply(200, "{}"));
    f =
        RunbookFixture.start(
            dir,
            "mid",
            rb(
                "mid",
                """
        steps:
          - {id: again, http: {url: "$BASE/again"}}
          - {id: once, http: {url: "$BASE/once"}, onResume: fail}
        onFailure: none
        """));
    RunId run = fire("mid");
    await().atMost(Duration.ofSeconds(20)).until(() -> server.holding() == 2);
    assertThat(f.step(run, "again").status()).isEqualTo(StepStatus.RUNNING);
    f.restart();
    server.release();
    RunRecord r = f.awaitStatus(run, RunStatus.FAILED);
    assertThat(f.step(run, "again").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(f.step(run, "again").attempts()).isEqualTo(2);
    assertThat(server.count("/again")).isEqualTo(2);
    assertThat(f.step(run, "once").status()).isEqualTo(StepStatus.FAILED);
    assertThat(f.step(run, "once").error())
        .isEqualTo("interrupted by a restart of Vigil while running (onResume: fail)");
    assertThat(server.count("/once")).isEqualTo(1);
    assertThat(r.error()).contains("once: interrupted by a restart");
  }

  @Test
  void anIncidentLeftUndecidedByACrashGetsItsRunbookAtTheNextStart() throws Exception {
    server.ok("/fix", "{}");
    f = RunbookFixture.start(dir, "other", rb("other", "steps:\n  - {id: x, wait: 1s}\n"));
    // committed, but no run was decided for it (as if Vigil died right after the commit)
    String inc = f.fire("{\"alertname\": \"late\"}");
    assertThat(f.incident(inc).getJsonArray("runs")).isEmpty();
    Files.writeString(
        dir.resolve("runbooks/late.yaml"),
        rb("late", "steps:\n  - {id: fix, http: {url: \"$BASE/fix\"}}\n"));
    f.clock.advance(Duration.ofMinutes(5));
    f.restart();
    RunId run = f.runOf(inc);
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(server.count("/fix")).isEqualTo(1);
    f.restart();
    assertThat(f.incident(inc).getJsonArray("runs"))
        .as("decided once: a later start leaves it alone")
        .hasSize(1);
  }

  @Test
  void withNoRunbookLoadedTheLostDecisionSweepFindsNothingToDecide() throws Exception {
    // no runbook can be chosen: reading every incident of the lookback (and its alerts) at every
    // sweep would decide nothing
    f = RunbookFixture.start(dir, "", Map.of());
    f.fire("{\"alertname\": \"late\"}");
    f.clock.advance(Duration.ofMinutes(5));
    assertThat(
            f.d
                .daemon
                .engine()
                .decideLost(f.clock.instant())
                .toCompletionStage()
                .toCompletableFuture()
                .get())
        .isZero();
  }

  @Test
  void anIncidentNoRunbookMatchedIsReadByOneSweepNotByEveryOne() throws Exception {
    // nothing in the store says "no runbook matched": the first sweep of this process looks over
    // the whole lookback, later ones only since the last (less an overlap), or the leader of
    // several replicas read every such incident with its alerts each lease period. (A long lease:
    // on PostgreSQL the daemon's own sweep would otherwise run every 10 s beside the test's.)
    f =
        RunbookFixture.start(
            dir,
            "ha: {leaseTtl: 1h}\n",
            Map.of("other", rb("other", "steps:\n  - {id: x, wait: 1s}\n")));
    f.fire("{\"alertname\": \"nothing-matches\"}");
    Engine engine = f.d.daemon.engine();
    f.clock.advance(Duration.ofMinutes(5));
    assertThat(engine.decideLost(f.clock.instant()).toCompletionStage().toCompletableFuture().get())
        .as("the first sweep reads it")
        .isEqualTo(1);
    f.clock.advance(Replica.DECISION_OVERLAP.plusSeconds(10));
    assertThat(engine.decideLost(f.clock.instant()).toCompletionStage().toCompletableFuture().get())
        .as("a later sweep does not read it again")
        .isZero();

    // an incident opened since, left undecided (here: its runbook came after it), is still found
    server.ok("/fix", "{}");
    String late = undecidedUntilItsRunbookCame();
    f.clock.advance(Duration.ofMinutes(1));
    assertThat(engine.decideLost(f.clock.instant()).toCompletionStage().toCompletableFuture().get())
        .isEqualTo(1);
    f.awaitStatus(f.runOf(late), RunStatus.SUCCEEDED);
    assertThat(server.count("/fix")).isEqualTo(1);
  }

  @Test
  void twoLostDecisionSweepsAtOnceStartOneRun() throws Exception {
    // the start's sweep and the first lease period's sweep can overlap: the second must see the
    // first's decision
    server.ok("/fix", "{}");
    f = RunbookFixture.start(dir, "other", rb("other", "steps:\n  - {id: x, wait: 1s}\n"));
    String inc = undecidedUntilItsRunbookCame();
    f.clock.advance(Duration.ofMinutes(5));
    Engine engine = f.d.daemon.engine();
    var sweeps =
        Future.join(
            engine.decideLost(f.clock.instant()),
            engine.decideLost(f.clock.instant()),
            engine.decideLost(f.clock.instant()));
    await().atMost(Duration.ofSeconds(20)).until(() -> sweeps.isComplete());
    f.awaitStatus(f.runOf(inc), RunStatus.SUCCEEDED);
    assertThat(engine.decideLost(f.clock.instant()).toCompletionStage().toCompletableFuture().get())
        .isZero();
    assertThat(f.incident(inc).getJsonArray("runs")).hasSize(1);
    assertThat(server.count("/fix")).isEqualTo(1);
  }

  @Test
  void aRunStoredWithoutTheEngineHearingOfItIsResumedAtTheSecondRenewal() throws Exception {
    // as if a creation committed but its answer was lost (the connection dropped at COMMIT)
    server.ok("/fix", "{}");
    f =
        RunbookFixture.start(
            dir,
            "ha: {leaseTtl: 3s}\n",
            Map.of("fix", rb("fix", "steps:\n  - {id: fix, http: {url: \"$BASE/fix\"}}\n")));
    RunId first = fire("fix");
    RunRecord done = f.awaitStatus(first, RunStatus.SUCCEEDED);
    RunRecord lost =
        new RunRecord(
            null,
            done.incident(),
            done.runbook(),
            done.version(),
            done.file(),
            done.source(),
            done.mode(),
            RunStatus.PENDING,
            null,
            done.bindings(),
            f.clock.instant(),
            null,
            null,
            null,
            null,
            "api:dana",
            done.steps().stream().map(s -> StepRun.pending(s.id(), s.kind())).toList());
    RunId orphan =
        f.d
            .daemon
            .runStore()
            .create(lost)
            .toCompletionStage()
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    assertThat(f.run(orphan).status()).isEqualTo(RunStatus.PENDING);
    f.awaitStatus(orphan, RunStatus.SUCCEEDED);
    assertThat(server.count("/fix")).isEqualTo(2);

    // one whose runbook version is gone and whose source was not kept cannot run: it fails once,
    // with the reason
    RunRecord gone =
        new RunRecord(
            null,
            done.incident(),
            done.runbook(),
            "v-gone",
            done.file(),
            null,
            done.mode(),
            RunStatus.PENDING,
            null,
            done.bindings(),
            f.clock.instant(),
            null,
            null,
            null,
            null,
            "api:dana",
            List.of(StepRun.pending("fix", "http")));
    RunId unrunnable =
        f.d
            .daemon
            .runStore()
            .create(gone)
            .toCompletionStage()
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    assertThat(f.awaitStatus(unrunnable, RunStatus.FAILED).error())
        .isEqualTo("runbook fix version v-gone is no longer loaded and its source was not stored");
  }

  @Test
  void aRunResumedAtStartKeepsItsConcurrencySlotFromALostDecisionsRun() throws Exception {
    // SQLite: the slot count is in memory, so the order of the start's work decides who runs
    server.route("/hold", n -> n <= 2 ? LocalServer.HOLD : new LocalServer.Reply(200, "{}"));
    String lim =
        """
        concurrency: {key: "host-a", limit: 1}
        steps:
          - {id: fix, http: {url: "$BASE/hold"}}
        """;
    f = RunbookFixture.start(dir, "lim", rb("lim", lim));
    RunId first = fire("lim");
    await().atMost(Duration.ofSeconds(20)).until(() -> server.holding() == 1);
    // opened while nothing matched it, then the runbook's match grows: its decision is "lost"
    String late = f.fire("{\"alertname\": \"late\"}");
    Files.writeString(
        dir.resolve("runbooks/lim.yaml"),
        rb("lim", lim).replace("alertname = \"lim\"", "alertname =~ \"lim|late\""));
    f.clock.advance(Duration.ofMinutes(5));
    f.restart();
    RunId second = f.runOf(late);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> server.holding() == 2); // the first run's call, again
    assertThat(f.run(first).status()).isEqualTo(RunStatus.RUNNING);
    assertThat(f.run(second).status())
        .as("queued behind the resumed run")
        .isEqualTo(RunStatus.PENDING);
    server.release();
    f.awaitStatus(first, RunStatus.SUCCEEDED);
    f.awaitStatus(second, RunStatus.SUCCEEDED);
    assertThat(f.step(second, "fix").startedAt()).isAfterOrEqualTo(f.step(first, "fix").endedAt());
  }

  /**
   * Fires an incident no runbook matches, then adds (and reloads) the runbook {@code late} that
   * matches it and calls {@code /fix}: an open incident without a run, as if its decision was lost.
   */
  private String undecidedUntilItsRunbookCame() throws Exception {
    String inc = f.fire("{\"alertname\": \"late\"}");
    Files.writeString(
        dir.resolve("runbooks/late.yaml"),
        rb("late", "steps:\n  - {id: fix, http: {url: \"$BASE/fix\"}}\n"));
    assertThat(f.d.post("/-/reload", "").statusCode()).isEqualTo(200);
    return inc;
  }
}
