package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped disk-almost-full runbook, driven end to end by an Alertmanager webhook: Prometheus is
 * a local HTTP server, clean-tmp a local script; the run measures, cleans, waits, polls until usage
 * drops, reports, and resolves the incident.
 */
class ShippedRunbookRunTest {
  @TempDir Path dir;
  LocalServer prometheus;
  RunbookFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
  }

  static String usage(String percent) {
    return "{\"status\": \"success\", \"data\": {\"resultType\": \"vector\", \"result\": [{\"metric\": {}, \"value\": [1795900000, \""
        + percent
        + "\"]}]}}";
  }

  @Test
  void diskAlmostFullCleansWaitsVerifiesAndResolves() throws Exception {
    prometheus =
        new LocalServer()
            .route(
                "/api/v1/query",
                n ->
                    new LocalServer.Reply(
                        200,
                        usage(
                            switch (n) {
                              case 1 -> "91.5";
                              case 2 -> "84";
                              default -> "62.25";
                            })));
    Path cleaner = dir.resolve("clean-tmp");
    Path log = dir.resolve("cleaned.txt");
    Files.writeString(cleaner, "#!/bin/sh\necho \"$@\" >> " + log + "\necho cleaned\n");
    Files.setPosixFilePermissions(cleaner, PosixFilePermissions.fromString("rwxr-xr-x"));
    String shipped =
        Files.readString(Path.of("runbooks/disk-almost-full.yaml"))
            .replace("http://prometheus:9090", prometheus.base())
            .replace("/usr/local/bin/clean-tmp", cleaner.toString());
    f =
        RunbookFixture.start(
            dir,
            "runbooks: {exec: {allow: [\"" + cleaner + "\"]}}\n",
            Map.of("disk-almost-full", shipped));

    String webhook =
        """
        {"version": "4", "groupKey": "{}:{alertname=\\"NodeFilesystemAlmostFull\\"}", "status": "firing", "receiver": "vigil",
         "commonLabels": {"alertname": "NodeFilesystemAlmostFull", "instance": "node-7:9100", "mountpoint": "/var", "severity": "warning"},
         "alerts": [{"status": "firing", "labels": {"alertname": "NodeFilesystemAlmostFull", "instance": "node-7:9100",
                     "mountpoint": "/var", "severity": "warning"}, "annotations": {"summary": "/var is 91% full"},
                     "startsAt": "2026-11-29T05:59:00Z", "endsAt": "0001-01-01T00:00:00Z", "generatorURL": ""}]}
        """;
    var accepted = f.d.post("/api/v1/alerts/alertmanager", webhook);
    assertThat(accepted.statusCode()).isEqualTo(202);
    String inc = new JsonObject(accepted.body()).getJsonArray("incidents").getString(0);
    RunId run = f.runOf(inc);

    StepRun settle = f.awaitWake(run, "settle");
    assertThat(f.step(run, "usage").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(f.step(run, "clean").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(Files.readString(log)).isEqualTo("--host node-7 --older-than 2d\n");
    assertThat(URLDecoder.decode(prometheus.calls().get(0).query(), StandardCharsets.UTF_8))
        .contains("instance=\"node-7:9100\"", "mountpoint=\"/var\"");
    assertThat(settle.wakeAt()).isEqualTo(f.clock.instant().plus(Duration.ofSeconds(30)));

    f.time.advanceTo(settle.wakeAt());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                prometheus.count("/api/v1/query") == 2
                    && f.time.armed(f.clock.instant().plus(Duration.ofSeconds(15))));
    assertThat(f.step(run, "verify").status())
        .as("84% is not below 80% yet")
        .isEqualTo(StepStatus.RUNNING);
    f.time.advance(Duration.ofSeconds(15));

    RunRecord r = f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(r.steps()).extracting(StepRun::status).containsOnly(StepStatus.SUCCEEDED);
    assertThat(f.step(run, "verify").output().get("json")).asString().contains("62.25");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.incident(inc).getString("status").equals("resolved"));
    JsonObject incident = f.incident(inc);
    assertThat(incident.getString("resolvedBy")).isEqualTo("runbook:disk-almost-full");
    assertThat(incident.getJsonArray("runs").getJsonObject(0).getString("status"))
        .isEqualTo("succeeded");
    assertThat(
            ModesTest.timelineHas(
                incident, "notification", "Freed disk on node-7 (/var): now 62.25% used."))
        .isTrue();
  }
}
