package dev.vigil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged daemon reloads its runbooks, teams and classification on SIGHUP, as `kill -HUP` from
 * an operator would.
 */
class RunbookReloadIT {
  @TempDir Path dir;

  @Test
  void sighupReloadsTheRunbooks() throws Exception {
    Path config = TestDaemon.writeConfig(dir, "");
    Files.writeString(
        dir.resolve("runbooks/disk.yaml"),
        """
        name: disk
        match: ['alertname = "DiskFull"']
        steps:
          - id: pause
            wait: 1s
        """);
    try (VigilProcess vigil = VigilProcess.start(config)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> list =
          http.send(
              HttpRequest.newBuilder(URI.create(vigil.url("/api/v1/runbooks"))).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(list.body()).contains("\"name\":\"disk\"", "\"valid\":true");
      Files.copy(
          Path.of("config/teams.yaml"),
          dir.resolve("config/teams.yaml")); // absent at start: nobody was on call

      // a SIGHUP that arrives while the daemon is still finishing its start is ignored, so send
      // until one lands
      // on a timeout the daemon's own output goes with the failure: this wait failed once in six
      // full runs (2026-12-06)
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .failFast("vigil exited", () -> !vigil.alive())
          .conditionEvaluationListener(
              c -> {
                if (!c.isSatisfied()
                    && c.getRemainingTimeInMS() <= c.getPollInterval().toMillis()) {
                  System.err.println(
                      "---- vigil's output while SIGHUPs were sent ----\n" + vigil.output());
                }
              })
          .until(
              () -> {
                if (vigil.output().contains("runbooks reloaded (SIGHUP): 1 serving, 0 problems")
                    // "(was 0)" only if the SIGHUP came before the folder watch saw the new file
                    && vigil.output().contains("routing: reloaded (SIGHUP): 4 teams")) {
                  return true;
                }
                vigil.hangUp();
                return false;
              });
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(URI.create(vigil.url("/readyz"))).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ready.body()).contains("\"oncall\":\"4 team(s)\"");
      assertThat(vigil.terminate())
          .isZero(); // SIGHUP did not stop it; SIGTERM still drains cleanly
    }
  }
}
