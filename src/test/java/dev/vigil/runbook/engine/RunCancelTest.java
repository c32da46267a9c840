package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Cancelling a run by hand ({@code POST /api/v1/runs/{id}/cancel}): a running try, a queued run,
 * and the end recorded once.
 */
class RunCancelTest extends EngineScenario {
  HttpResponse<String> cancel(RunId run, String by) {
    return f.d.post("/api/v1/runs/" + run + "/cancel", "{\"by\": \"" + by + "\"}");
  }

  @Test
  void aRunningStepIsCancelledWithEverythingAfterItAndTheIncidentIsHandedOver() {
    server.route("/slow", n -> LocalServer.HOLD);
    f =
        RunbookFixture.start(
            dir,
            "slow",
            rb(
                "slow",
                """
        steps:
          - {id: call, http: {url: "$BASE/slow"}}
          - {id: after, needs: [call], http: {url: "$BASE/after"}}
        onFailure: escalate
        """));
    RunId run = f.runOf(f.fire("{\"alertname\": \"slow\", \"instance\": \"host-1\"}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> server.holding() == 1);

    HttpResponse<String> r = cancel(run, "bob");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject answered = new JsonObject(r.body());
    assertThat(answered.getString("status"))
        .as("the answer comes once the end is stored")
        .isEqualTo("cancelled");
    assertThat(answered.getString("error")).isEqualTo("cancelled by bob");
    assertThat(answered.getString("endedAt")).isEqualTo(RunbookFixture.T0.toString());
    RunRecord stored = f.run(run);
    assertThat(stored.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(stored.steps())
        .extracting(StepRun::status)
        .containsExactly(StepStatus.CANCELLED, StepStatus.CANCELLED);
    assertThat(stored.steps()).extracting(StepRun::error).containsOnly("cancelled by bob");
    server.release();
    assertThat(server.count("/after")).isZero();
    // onFailure: escalate — a cancelled run hands the incident to people like a failed one
    String incident = stored.incident().toString();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                f.incident(incident).getJsonArray("timeline").stream()
                    .map(o -> (JsonObject) o)
                    .anyMatch(
                        e ->
                            e.getString("kind").equals("runbook-handover")
                                && e.getString("text")
                                    .equals(
                                        "runbook slow cancelled (" + run + "): cancelled by bob")));
    assertThat(
            f.incident(incident).getJsonArray("timeline").stream()
                .map(o -> ((JsonObject) o).getString("text")))
        .contains("run " + run + " of runbook slow cancelled: cancelled by bob");

    HttpResponse<String> again = cancel(run, "bob");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).isEqualTo("{\"error\":\"run " + run + " is cancelled already\"}");
  }

  @Test
  void aQueuedRunIsCancelledWithoutTakingTheSlot() {
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
    RunId third =
        f.runOf(f.fire("{\"alertname\": \"one\", \"instance\": \"host-1\", \"n\": \"3\"}"));
    f.awaitWake(first, "nap");
    assertThat(f.run(second).status()).isEqualTo(RunStatus.PENDING);

    assertThat(cancel(second, "carol").statusCode()).isEqualTo(200);
    assertThat(f.run(second).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(f.run(first).status())
        .as("the running one is untouched")
        .isEqualTo(RunStatus.RUNNING);
    f.time.advance(Duration.ofMinutes(1));
    f.awaitStatus(first, RunStatus.SUCCEEDED);
    // the slot goes to the next queued run, not to the cancelled one
    f.awaitWake(third, "nap");
    assertThat(f.run(second).status()).isEqualTo(RunStatus.CANCELLED);
  }
}
