package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Dry-run and manual modes, starting a runbook by hand, and the rollout guard. */
class ModesTest extends EngineScenario {
  static boolean timelineHas(JsonObject incident, String kind, String text) {
    return incident.getJsonArray("timeline").stream()
        .map(JsonObject.class::cast)
        .anyMatch(e -> e.getString("kind").equals(kind) && e.getString("text").contains(text));
  }

  @Test
  void aDryRunRecordsWhatEachStepWouldDoAndDoesNothing() {
    f =
        RunbookFixture.start(
            dir,
            "dry",
            rb(
                "dry",
                """
        rollout: {mode: dry-run}
        steps:
          - id: look
            http: {method: POST, url: "$BASE/look/${{ alert.labels.instance }}", body: {host: "${{ alert.labels.instance }}"}}
          - id: fix
            needs: [look]
            when: ${{ steps.look.output.status == 200 }}
            http: {url: "$BASE/fix?code=${{ steps.look.output.status }}"}
          - {id: nap, needs: [fix], wait: 10m}
        onSuccess: resolve
        """));
    String inc = f.fire("{\"alertname\": \"dry\", \"instance\": \"db/1\"}");
    RunId run = f.runOf(inc);
    RunRecord r = f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(r.mode().wire()).isEqualTo("dry-run");
    assertThat(r.steps())
        .extracting(StepRun::rendered)
        .containsExactly(
            "POST " + server.base() + "/look/db%2F1 body {\"host\":\"db/1\"}",
            "GET "
                + server.base()
                + "/fix?code=${{ steps.look.output.status }}"
                + " (when steps.look.output.status == 200 reads step results: decided only in a real run)",
            "wait 10m");
    assertThat(server.calls()).isEmpty();
    JsonObject incident = f.incident(inc);
    assertThat(incident.getString("status"))
        .as("a dry run never changes the incident")
        .isEqualTo("triggered");
    assertThat(timelineHas(incident, "runbook", "(dry run) succeeded")).isTrue();
    assertThat(f.runJson(run).getJsonArray("steps").getJsonObject(2).getString("action"))
        .isEqualTo("wait 10m");
  }

  @Test
  void manualModeOffersTheRunbookAndTheApiStartsIt() {
    server.ok("/fix", "{}");
    f =
        RunbookFixture.start(
            dir,
            "man",
            rb(
                "man",
                """
        rollout: {mode: manual}
        steps:
          - {id: fix, http: {url: "$BASE/fix"}}
        onSuccess: resolve
        """));
    String inc = f.fire("{\"alertname\": \"man\"}");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                timelineHas(
                    f.incident(inc),
                    "runbook-offered",
                    "runbook man matches but was not started: it is in manual mode. Start it with POST /api/v1/runbooks/man/runs"));
    assertThat(f.incident(inc).getJsonArray("runs")).isEmpty();

    assertThat(
            f.d.post("/api/v1/runbooks/nope/runs", "{\"incident\": \"" + inc + "\"}").statusCode())
        .isEqualTo(404);
    assertThat(f.d.post("/api/v1/runbooks/man/runs", "{}").statusCode()).isEqualTo(400);
    var started =
        f.d.post("/api/v1/runbooks/man/runs", "{\"incident\": \"" + inc + "\", \"by\": \"carol\"}");
    assertThat(started.statusCode()).isEqualTo(201);
    RunId run = RunId.parse(new JsonObject(started.body()).getString("id")).orElseThrow();
    RunRecord r = f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(r.startedBy()).isEqualTo("api:carol");
    assertThat(server.count("/fix")).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.incident(inc).getString("status").equals("resolved"));
    assertThat(
            f.d.post("/api/v1/runbooks/man/runs", "{\"incident\": \"" + inc + "\"}").statusCode())
        .isEqualTo(409);
  }

  @Test
  void theRolloutGuardSwitchesAFailingRunbookToManual() {
    server.route("/fix", n -> new LocalServer.Reply(500, "{}"));
    f =
        RunbookFixture.start(
            dir,
            "guarded",
            rb(
                "guarded",
                """
        rollout: {mode: auto, minSuccessRate: 0.5, window: 3}
        steps:
          - {id: fix, http: {url: "$BASE/fix"}}
        """));
    String last = null;
    for (int i = 1; i <= 3; i++) {
      last = f.fire("{\"alertname\": \"guarded\", \"n\": \"" + i + "\"}");
      f.awaitStatus(f.runOf(last), RunStatus.FAILED);
    }
    String third = last;
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                timelineHas(f.incident(third), "runbook-guard", "runbook guarded")
                    && timelineHas(f.incident(third), "notification", "ops"));
    assertThat(
            timelineHas(
                f.incident(third),
                "runbook-guard",
                "switched itself to manual: success rate 0.00 over the last 3 runs is below minSuccessRate 0.50"))
        .isTrue();
    JsonObject listed =
        new JsonObject(f.d.get("/api/v1/runbooks").body())
            .getJsonArray("runbooks")
            .getJsonObject(0);
    assertThat(listed.getString("mode")).isEqualTo("manual");
    assertThat(listed.getJsonObject("guard").getString("reason"))
        .contains("below minSuccessRate 0.50");
    assertThat(listed.getDouble("successRate")).isEqualTo(0.0);

    String fourth = f.fire("{\"alertname\": \"guarded\", \"n\": \"4\"}");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                timelineHas(
                    f.incident(fourth),
                    "runbook-offered",
                    "its rollout guard switched it to manual"));
    JsonArray runs = f.incident(fourth).getJsonArray("runs");
    assertThat(runs).isEmpty();
    assertThat(server.count("/fix")).isEqualTo(3);
  }

  @Test
  void theGuardWaitsForAFullWindow() {
    server.route("/fix", n -> new LocalServer.Reply(500, "{}"));
    f =
        RunbookFixture.start(
            dir,
            "guarded",
            rb(
                "guarded",
                """
        rollout: {mode: auto, minSuccessRate: 0.5, window: 3}
        steps:
          - {id: fix, http: {url: "$BASE/fix"}}
        """));
    for (int i = 1; i <= 2; i++) {
      f.awaitStatus(
          f.runOf(f.fire("{\"alertname\": \"guarded\", \"n\": \"" + i + "\"}")), RunStatus.FAILED);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                new JsonObject(f.d.get("/api/v1/runbooks").body())
                        .getJsonArray("runbooks")
                        .getJsonObject(0)
                        .getValue("successRate")
                    != null);
    assertThat(
            new JsonObject(f.d.get("/api/v1/runbooks").body())
                .getJsonArray("runbooks")
                .getJsonObject(0)
                .getString("mode"))
        .isEqualTo("auto");
    RunId third = f.runOf(f.fire("{\"alertname\": \"guarded\", \"n\": \"3\"}"));
    assertThat(third).isNotNull();
  }
}
