package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's semantics against a real daemon (SQLite, HTTP API) with a clock and timers that move
 * only by hand, and local HTTP servers as the systems runbooks act on.
 */
class EngineTest extends EngineScenario {
  RunId fire(String name) {
    return f.runOf(f.fire("{\"alertname\": \"" + name + "\", \"instance\": \"host-1\"}"));
  }

  @Test
  void independentBranchesRunInParallel() {
    server
        .ok("/a", "{}")
        .route("/b", n -> LocalServer.HOLD)
        .route("/c", n -> LocalServer.HOLD)
        .ok("/d", "{}");
    f =
        RunbookFixture.start(
            dir,
            "par",
            rb(
                "par",
                """
        steps:
          - {id: a, http: {url: "$BASE/a"}}
          - {id: b, needs: [a], http: {url: "$BASE/b"}}
          - {id: c, needs: [a], http: {url: "$BASE/c"}}
          - {id: d, needs: [b, c], http: {url: "$BASE/d"}}
        onSuccess: resolve
        """));
    RunId run = fire("par");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> server.holding() == 2); // b and c are both in flight
    assertThat(f.step(run, "b").status()).isEqualTo(StepStatus.RUNNING);
    assertThat(f.step(run, "c").status()).isEqualTo(StepStatus.RUNNING);
    assertThat(server.count("/d")).isZero();
    server.release();
    RunRecord r = f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(r.steps()).extracting(StepRun::status).containsOnly(StepStatus.SUCCEEDED);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.incident(r.incident().toString()).getString("status").equals("resolved"));
  }

  @Test
  void diamondJoinsOnceAfterBothBranches() {
    server.ok("/a", "{\"v\": 1}").ok("/b", "{\"v\": 2}").ok("/c", "{\"v\": 3}").ok("/d", "{}");
    f =
        RunbookFixture.start(
            dir,
            "diamond",
            rb(
                "diamond",
                """
        steps:
          - {id: a, http: {url: "$BASE/a"}}
          - {id: b, needs: [a], http: {url: "$BASE/b"}}
          - {id: c, needs: [a], http: {url: "$BASE/c"}}
          - id: d
            needs: [b, c]
            http: {url: "$BASE/d?sum=${{ int(steps.b.output.json.v) + int(steps.c.output.json.v) }}"}
        """));
    RunId run = fire("diamond");
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    List<String> order = server.calls().stream().map(LocalServer.Call::path).toList();
    assertThat(order).hasSize(4).startsWith("/a").endsWith("/d");
    assertThat(server.count("/d")).isEqualTo(1);
    assertThat(server.calls().get(3).query()).isEqualTo("sum=5");
  }

  @Test
  void aFailedStepSkipsEverythingDownstreamButNotOtherBranches() {
    server.route("/a", n -> new LocalServer.Reply(500, "{}")).ok("/other", "{}");
    f =
        RunbookFixture.start(
            dir,
            "skip",
            rb(
                "skip",
                """
        steps:
          - {id: a, http: {url: "$BASE/a"}}
          - {id: b, needs: [a], http: {url: "$BASE/b"}}
          - {id: c, needs: [b], http: {url: "$BASE/c"}}
          - {id: other, http: {url: "$BASE/other"}}
          - {id: off, when: "${{ alert.labels.instance == 'nope' }}", http: {url: "$BASE/off"}}
          - {id: afterOff, needs: [off], http: {url: "$BASE/afterOff"}}
        onFailure: escalate
        """));
    RunId run = fire("skip");
    RunRecord r = f.awaitStatus(run, RunStatus.FAILED);
    assertThat(f.step(run, "a").status()).isEqualTo(StepStatus.FAILED);
    assertThat(f.step(run, "a").error()).contains("HTTP 500");
    assertThat(f.step(run, "b").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(f.step(run, "b").error()).isEqualTo("needs a, which failed");
    assertThat(f.step(run, "c").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(f.step(run, "other").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(f.step(run, "off").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(f.step(run, "afterOff").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(
            server.count("/b")
                + server.count("/c")
                + server.count("/off")
                + server.count("/afterOff"))
        .isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                ModesTest.timelineHas(
                    f.incident(r.incident().toString()),
                    "runbook-handover",
                    "runbook skip failed (" + run + "): a: HTTP 500"));
  }

  @Test
  void onFailureContinueLetsDependantsRunAndSeeTheFailure() {
    server.route("/a", n -> new LocalServer.Reply(503, "{}")).ok("/b", "{}");
    f =
        RunbookFixture.start(
            dir,
            "cont",
            rb(
                "cont",
                """
        steps:
          - {id: a, onFailure: continue, http: {url: "$BASE/a"}}
          - {id: b, needs: [a], http: {url: "$BASE/b?saw=${{ steps.a.status }}&code=${{ steps.a.output.status }}"}}
        """));
    RunId run = fire("cont");
    RunRecord r = f.awaitRun(run, x -> x.status().finished());
    assertThat(f.step(run, "b").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(server.calls().get(1).query()).isEqualTo("saw=failed&code=503");
    assertThat(r.status())
        .as("a failed step still fails the run (RUNBOOKS.md: no step failed)")
        .isEqualTo(RunStatus.FAILED);
  }

  @Test
  void retriesBackOffWithGrowingJitteredDelaysUpToTheCap() {
    server.route(
        "/flaky", n -> n < 5 ? new LocalServer.Reply(500, "{}") : new LocalServer.Reply(200, "{}"));
    f =
        RunbookFixture.start(
            dir,
            "retry",
            rb(
                "retry",
                """
        steps:
          - id: flaky
            http: {url: "$BASE/flaky"}
            retry: {attempts: 5, backoff: 10s, maxBackoff: 30s}
        """));
    RunId run = fire("retry");
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 1; attempt <= 4; attempt++) {
      int a = attempt;
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> f.step(run, "flaky").attempts() == a && f.step(run, "flaky").wakeAt() != null);
      StepRun s = f.awaitWake(run, "flaky");
      assertThat(s.status()).isEqualTo(StepStatus.PENDING);
      assertThat(s.error()).contains("HTTP 500");
      delays.add(Duration.between(f.clock.instant(), s.wakeAt()));
      assertThat(server.count("/flaky")).isEqualTo(attempt);
      f.time.advanceTo(s.wakeAt());
    }
    RunRecord r = f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(r.steps().get(0).attempts()).isEqualTo(5);
    // backoff 10s, 20s, 30s (capped), 30s; with equal jitter each delay is in [half, whole]
    long[][] bounds = {{5, 10}, {10, 20}, {15, 30}, {15, 30}};
    for (int i = 0; i < 4; i++) {
      assertThat(delays.get(i))
          .as("delay before try %d", i + 2)
          .isBetween(Duration.ofSeconds(bounds[i][0]), Duration.ofSeconds(bounds[i][1]));
    }
    assertThat(delays.get(1).plus(delays.get(2))).isGreaterThan(delays.get(0).multipliedBy(2));
  }

  @Test
  void aHungServerTimesOutEachTry() {
    server.route("/hung", n -> LocalServer.HANG);
    f =
        RunbookFixture.start(
            dir,
            "hung",
            rb(
                "hung",
                """
        steps:
          - id: call
            http: {url: "$BASE/hung"}
            timeout: 5s
            retry: {attempts: 2, backoff: 1s}
        onFailure: escalate
        """));
    RunId run = fire("hung");
    await().atMost(Duration.ofSeconds(20)).until(() -> server.count("/hung") == 1);
    f.time.advance(Duration.ofSeconds(5));
    StepRun retry = f.awaitWake(run, "call");
    assertThat(retry.error()).isEqualTo("http step call timed out after 5s (try 1)");
    f.time.advanceTo(retry.wakeAt());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> server.count("/hung") == 2 && f.step(run, "call").attempts() == 2);
    f.time.advance(Duration.ofSeconds(5));
    RunRecord r = f.awaitStatus(run, RunStatus.FAILED);
    assertThat(r.steps().get(0).status()).isEqualTo(StepStatus.TIMED_OUT);
    assertThat(r.steps().get(0).attempts()).isEqualTo(2);
  }

  @Test
  void theRunTimeoutCancelsWhatIsLeft() {
    f =
        RunbookFixture.start(
            dir,
            "slow",
            rb(
                "slow",
                """
        timeout: 1m
        steps:
          - {id: nap, wait: 10m}
          - {id: after, needs: [nap], wait: 1s}
        """));
    RunId run = fire("slow");
    f.awaitWake(run, "nap");
    f.time.advance(Duration.ofMinutes(1));
    RunRecord r = f.awaitStatus(run, RunStatus.TIMED_OUT);
    assertThat(r.error()).isEqualTo("run timed out after 1m");
    assertThat(r.steps())
        .extracting(StepRun::status)
        .containsExactly(StepStatus.CANCELLED, StepStatus.CANCELLED);
  }

  @Test
  void theConcurrencyLimitQueuesRunsOfTheSameKey() {
    f =
        RunbookFixture.start(
            dir,
            "one",
            rb(
                "one",
                """
        concurrency: {key: "${{ alert.labels.instance }}", limit: 1}
        steps:
          - {id: nap, wait: 1m}
        """));
    RunId first =
        f.runOf(f.fire("{\"alertname\": \"one\", \"instance\": \"host-1\", \"n\": \"1\"}"));
    RunId second =
        f.runOf(f.fire("{\"alertname\": \"one\", \"instance\": \"host-1\", \"n\": \"2\"}"));
    RunId other =
        f.runOf(f.fire("{\"alertname\": \"one\", \"instance\": \"host-2\", \"n\": \"3\"}"));
    f.awaitWake(first, "nap");
    f.awaitWake(other, "nap");
    assertThat(f.run(second).status()).isEqualTo(RunStatus.PENDING);
    assertThat(f.step(second, "nap").status()).isEqualTo(StepStatus.PENDING);
    f.time.advance(Duration.ofMinutes(1));
    f.awaitStatus(first, RunStatus.SUCCEEDED);
    f.awaitStatus(other, RunStatus.SUCCEEDED);
    StepRun nap = f.awaitWake(second, "nap");
    assertThat(f.run(second).status()).isEqualTo(RunStatus.RUNNING);
    f.time.advanceTo(nap.wakeAt());
    f.awaitStatus(second, RunStatus.SUCCEEDED);
  }

  static final String APPROVAL =
      """
      timeout: 2h
      steps:
        - {id: ask, approval: {text: "restart ${{ alert.labels.instance }}?", timeout: 1h}}
        - {id: act, needs: [ask], http: {url: "$BASE/act?by=${{ steps.ask.output.by }}"}}
      onFailure: escalate
      """;

  @Test
  void anApprovedStepLetsTheRunGoOn() {
    server.ok("/act", "{}");
    f = RunbookFixture.start(dir, "appr", rb("appr", APPROVAL));
    RunId run = fire("appr");
    f.awaitStep(run, "ask", StepStatus.WAITING);
    assertThat(f.runJson(run).getJsonArray("steps").getJsonObject(0).getString("status"))
        .isEqualTo("waiting");
    assertThat(f.runJson(run).getString("status"))
        .as("a run that only waits for a person reads waiting")
        .isEqualTo("waiting");
    assertThat(f.run(run).status()).isEqualTo(RunStatus.RUNNING);
    var answer = f.d.post("/api/v1/runs/" + run + "/approve", "{\"by\": \"alice\"}");
    assertThat(answer.statusCode()).isEqualTo(200);
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(f.step(run, "ask").output())
        .containsEntry("decision", "approved")
        .containsEntry("by", "alice");
    assertThat(server.calls().get(0).query()).isEqualTo("by=alice");
    assertThat(f.d.post("/api/v1/runs/" + run + "/approve", "{}").statusCode()).isEqualTo(409);
  }

  @Test
  void aRejectedStepFailsTheRunAndSkipsWhatNeedsIt() {
    f = RunbookFixture.start(dir, "appr", rb("appr", APPROVAL));
    RunId run = fire("appr");
    f.awaitStep(run, "ask", StepStatus.WAITING);
    assertThat(f.d.post("/api/v1/runs/" + run + "/reject", "{\"by\": \"bob\"}").statusCode())
        .isEqualTo(200);
    RunRecord r = f.awaitStatus(run, RunStatus.FAILED);
    assertThat(f.step(run, "ask").error()).isEqualTo("rejected by bob");
    assertThat(f.step(run, "act").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(server.count("/act")).isZero();
  }

  @Test
  void anUnansweredApprovalTimesOut() {
    f = RunbookFixture.start(dir, "appr", rb("appr", APPROVAL));
    RunId run = fire("appr");
    StepRun ask = f.awaitWake(run, "ask");
    assertThat(ask.wakeAt()).isEqualTo(f.clock.instant().plus(Duration.ofHours(1)));
    f.time.advance(Duration.ofMinutes(59));
    assertThat(f.step(run, "ask").status()).isEqualTo(StepStatus.WAITING);
    f.time.advance(Duration.ofMinutes(1));
    f.awaitStatus(run, RunStatus.FAILED);
    assertThat(f.step(run, "ask").status()).isEqualTo(StepStatus.TIMED_OUT);
    assertThat(f.step(run, "ask").error()).isEqualTo("no decision within 1h");
    assertThat(f.d.post("/api/v1/runs/" + run + "/approve", "{}").statusCode()).isEqualTo(409);
    assertThat(f.d.post("/api/v1/runs/RUN-999/approve", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void incidentAndMessageStepsActOnTheIncidentAndRunsAreCounted() throws Exception {
    Files.createDirectories(dir.resolve("config"));
    Files.writeString(
        dir.resolve("config/teams.yaml"), TestDaemon.resource("config/good/teams.yaml"));
    f =
        RunbookFixture.start(
            dir,
            "inc",
            rb(
                "inc",
                """
        steps:
          - {id: note, incident: {action: note, text: "looking at ${{ alert.labels.instance }}"}}
          - {id: ack, needs: [note], incident: {action: acknowledge}}
          - {id: page, needs: [ack], incident: {action: escalate, text: "needs a human"}}
          - {id: tell, needs: [page], slack: {channel: "#ops", text: "hi from ${{ incident.id }}"}}
        """));
    RunId run = fire("inc");
    RunRecord r = f.awaitStatus(run, RunStatus.SUCCEEDED);
    String inc = r.incident().toString();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                f.incident(inc)
                    .getString("status")
                    .equals("resolved")); // onSuccess defaults to resolve
    JsonObject incident = f.incident(inc);
    assertThat(incident.getString("acknowledgedBy")).isEqualTo("runbook:inc");
    assertThat(ModesTest.timelineHas(incident, "note", "looking at host-1")).isTrue();
    assertThat(
            incident.getJsonArray("timeline").stream()
                .map(JsonObject.class::cast)
                .anyMatch(
                    e ->
                        e.getString("kind").equals("escalation-manual")
                            && e.getString("by").equals("runbook:inc")))
        .as("the escalate step paged through the escalator")
        .isTrue();
    assertThat(ModesTest.timelineHas(incident, "notification", "slack #ops: hi from " + inc))
        .isTrue();
    // Slack is off: the message went to the log, so it has no ts (a pagerduty step would fail:
    // RunbookMessagesTest)
    assertThat(f.step(run, "tell").output())
        .containsEntry("channel", "#ops")
        .containsEntry("ts", "");
    String metrics = f.d.get("/metrics").body();
    assertThat(metrics)
        .contains("vigil_runbook_runs_total{outcome=\"succeeded\",runbook=\"inc\"} 1.0")
        .contains(
            "vigil_runbook_step_duration_seconds_count{kind=\"incident\",runbook=\"inc\",step=\"note\"} 1")
        .contains("vigil_runbook_runs_in_flight 0.0");
  }

  @Test
  void httpStepsSendJsonAndHeadersCheckTheStatusAndCapTheBody() {
    String big = "{\"pad\": \"" + "z".repeat(300_000) + "\"}";
    server
        .route("/scale", n -> new LocalServer.Reply(202, "{\"replicas\": 4}"))
        .ok("/big", big)
        .route("/teapot", n -> new LocalServer.Reply(418, "short and stout"));
    f =
        RunbookFixture.start(
            dir,
            "web",
            rb(
                "web",
                """
        steps:
          - id: scale
            http:
              method: PUT
              url: "$BASE/scale"
              headers: {X-Incident: "${{ incident.id }}"}
              body: {replicas: '${{ 2 + 2 }}', reason: "for ${{ alert.labels.instance }}"}
              expectStatus: [200, 202]
          - {id: big, needs: [scale], http: {url: "$BASE/big"}}
          - {id: teapot, needs: [scale], http: {url: "$BASE/teapot"}, onFailure: continue}
        """));
    RunId run = fire("web");
    f.awaitRun(run, r -> r.status().finished());
    LocalServer.Call put = server.calls().get(0);
    assertThat(put.method()).isEqualTo("PUT");
    assertThat(new JsonObject(put.body()))
        .isEqualTo(new JsonObject().put("replicas", 4).put("reason", "for host-1"));
    assertThat(f.step(run, "scale").output())
        .containsEntry("status", 202L)
        .containsEntry("json", Map.of("replicas", 4L));
    assertThat((String) f.step(run, "big").output().get("body")).hasSize(256 * 1024);
    assertThat(f.step(run, "big").output().get("json"))
        .as("a truncated body is not parsed")
        .isNull();
    assertThat(f.step(run, "teapot").status()).isEqualTo(StepStatus.FAILED);
    assertThat(f.step(run, "teapot").error())
        .isEqualTo("HTTP 418 from GET " + server.base() + "/teapot (expected 2xx)");
    assertThat(f.step(run, "teapot").output()).containsEntry("body", "short and stout");
  }
}
