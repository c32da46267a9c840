package dev.vigil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.runbook.engine.LocalServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable runs under SIGKILL, against the packaged daemon: killed once during a {@code wait} and
 * once during an {@code http} step. After each restart the run goes on; steps that finished ran
 * exactly once (counted by the local server), the wait waited only for what was left, and the
 * interrupted http step ran again.
 */
class RunbookCrashIT {
  static final Duration NAP = Duration.ofSeconds(15);

  /** How far into the wait the first kill lands. */
  static final Duration KILL_INTO = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void aRunSurvivesSigkillDuringAWaitAndDuringAnHttpStep() throws Exception {
    try (LocalServer server = new LocalServer()) {
      server
          .ok("/first", "{}")
          .ok("/last", "{}")
          .route(
              "/slow",
              n -> n == 1 ? LocalServer.HOLD : new LocalServer.Reply(200, "{\"try\": " + n + "}"));
      Path config = TestDaemon.writeConfig(dir, "");
      Files.writeString(
          dir.resolve("runbooks/crash.yaml"),
          """
          name: crash
          match: ['alertname = "CrashRun"']
          timeout: 10m
          steps:
            - {id: first, http: {url: "$BASE/first"}}
            - {id: nap, needs: [first], wait: 15s}
            - {id: slow, needs: [nap], http: {url: "$BASE/slow"}, timeout: 2m}
            - {id: last, needs: [slow], http: {url: "$BASE/last"}}
          onSuccess: resolve
          """
              .replace("$BASE", server.base()));

      VigilProcess vigil = VigilProcess.start(config);
      VigilProcess first = vigil;
      String run;
      Instant napWake;
      try {
        HttpResponse<String> accepted =
            first.post("/api/v1/alerts", "[{\"labels\": {\"alertname\": \"CrashRun\"}}]");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String inc = new JsonObject(accepted.body()).getJsonArray("incidents").getString(0);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> !first.getJson("/api/v1/incidents/" + inc).getJsonArray("runs").isEmpty());
        String id =
            first
                .getJson("/api/v1/incidents/" + inc)
                .getJsonArray("runs")
                .getJsonObject(0)
                .getString("id");
        run = id;
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> "waiting".equals(first.step(id, "nap").getString("status")));
        napWake = Instant.parse(first.step(id, "nap").getString("wakeAt"));
        // kill a third of the way into the wait (by the wake-up time Vigil stored), so that a wait
        // started
        // anew after the restart would end at least KILL_INTO later than the stored wake-up time
        Instant killAt = napWake.minus(NAP).plus(KILL_INTO);
        await().atMost(NAP).until(() -> !Instant.now().isBefore(killAt));
        vigil.kill(); // during the wait
      } finally {
        vigil.close();
      }

      vigil = VigilProcess.start(config);
      try {
        VigilProcess v = vigil;
        await().atMost(Duration.ofSeconds(60)).until(() -> server.count("/slow") == 1);
        JsonObject nap = v.step(run, "nap");
        assertThat(nap.getString("status")).isEqualTo("succeeded");
        Instant napEnded = Instant.parse(nap.getString("endedAt"));
        assertThat(napEnded)
            .as("the wait ends at its stored wake-up time")
            .isAfterOrEqualTo(napWake);
        // a whole new wait would end at or after killAt + NAP = napWake + KILL_INTO
        assertThat(napEnded)
            .as("not a whole new wait after the restart")
            .isBefore(napWake.plus(KILL_INTO));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    server.holding() == 1
                        && "running".equals(v.step(run, "slow").getString("status")));
        vigil.kill(); // during the http step
      } finally {
        vigil.close();
      }

      vigil = VigilProcess.start(config);
      try {
        VigilProcess v = vigil;
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> "succeeded".equals(v.getJson("/api/v1/runs/" + run).getString("status")));
        JsonObject r = v.getJson("/api/v1/runs/" + run);
        assertThat(server.count("/first")).as("finished before both kills: ran once").isEqualTo(1);
        assertThat(server.count("/slow"))
            .as("interrupted by the second kill: ran again")
            .isEqualTo(2);
        assertThat(server.count("/last")).isEqualTo(1);
        JsonArray steps = r.getJsonArray("steps");
        assertThat(steps.getJsonObject(0).getInteger("attempts")).isEqualTo(1);
        assertThat(steps.getJsonObject(2).getInteger("attempts")).isEqualTo(2);
        assertThat(
                steps
                    .getJsonObject(2)
                    .getJsonObject("output")
                    .getJsonObject("json")
                    .getInteger("try"))
            .isEqualTo(2);
        String inc = r.getString("incident");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> v.getJson("/api/v1/incidents/" + inc).getString("status").equals("resolved"));
        assertThat(v.terminate()).isZero();
      } finally {
        vigil.close();
      }
    }
  }
}
