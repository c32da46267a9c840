package dev.vigil.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload against a running daemon: the file watcher, GET /api/v1/runbooks, the graph, POST
 * /-/reload.
 */
class RunbookApiTest {
  @TempDir Path dir;
  TestDaemon vigil;

  static final String GOOD =
      """
      name: disk
      match: ['alertname = "NodeFilesystemAlmostFull"']
      steps:
        - id: usage
          http: { url: "http://prometheus:9090/api/v1/query?query=up" }
        - id: settle
          needs: [usage]
          wait: %s
      """;

  @AfterEach
  void stop() {
    if (vigil != null) {
      vigil.close();
    }
  }

  JsonObject entry(String name) {
    HttpResponse<String> r = vigil.get("/api/v1/runbooks");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonArray all = new JsonObject(r.body()).getJsonArray("runbooks");
    return all.stream()
        .map(o -> (JsonObject) o)
        .filter(o -> o.getString("name").equals(name))
        .findFirst()
        .orElse(null);
  }

  String matchingVersion() {
    Incident inc =
        new Incident(
            new IncidentId(7),
            IncidentStatus.TRIGGERED,
            Severity.WARNING,
            "disk",
            null,
            "t",
            "g",
            Map.of("alertname", "NodeFilesystemAlmostFull", "instance", "db-1"),
            1,
            1,
            Instant.now(),
            null,
            null,
            null,
            null,
            false);
    return vigil.daemon.runbooks().select(inc).map(s -> s.runbook().version()).orElse(null);
  }

  @Test
  void aBadEditIsRejectedAndListedWhileTheOldVersionKeepsMatchingThenTheFixLoads()
      throws Exception {
    Path file = dir.resolve("runbooks/disk.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, GOOD.formatted("30s"));
    vigil = TestDaemon.start(dir, "");

    JsonObject first = entry("disk");
    assertThat(first.getBoolean("valid")).isTrue();
    assertThat(first.getString("mode")).isEqualTo("auto");
    assertThat(first.getString("file")).isEqualTo("runbooks/disk.yaml");
    String v1 = first.getString("version");
    assertThat(matchingVersion()).isEqualTo(v1);

    // a bad edit, picked up by the watcher
    Files.writeString(file, GOOD.formatted("30s").replace("needs: [usage]", "needs: [usag]"));
    await().atMost(Duration.ofSeconds(20)).until(() -> !entry("disk").getBoolean("valid"));
    JsonObject bad = entry("disk");
    assertThat(bad.getJsonArray("errors").getList())
        .containsExactly(
            "runbooks/disk.yaml:7:13: steps[1].needs[0]: no step \"usag\" (did you mean \"usage\"?)");
    assertThat(bad.getString("version")).isEqualTo(v1);
    assertThat(matchingVersion()).isEqualTo(v1);
    assertThat(vigil.get("/metrics").body()).contains("vigil_runbook_reload_errors_total 1.0");

    // the fix loads with a new version
    Files.writeString(file, GOOD.formatted("45s"));
    await().atMost(Duration.ofSeconds(20)).until(() -> entry("disk").getBoolean("valid"));
    JsonObject fixed = entry("disk");
    assertThat(fixed.getJsonArray("errors")).isEmpty();
    assertThat(fixed.getString("version")).isNotEqualTo(v1);
    assertThat(matchingVersion()).isEqualTo(fixed.getString("version"));

    // deleting the file removes the runbook
    Files.delete(file);
    await().atMost(Duration.ofSeconds(20)).until(() -> entry("disk") == null);
    assertThat(matchingVersion()).isNull();
  }

  @Test
  void postReloadAnswersWithTheErrorsAndGraphIsServed() throws Exception {
    Path file = dir.resolve("runbooks/disk.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, GOOD.formatted("30s"));
    vigil = TestDaemon.start(dir, "");

    HttpResponse<String> ok = vigil.post("/-/reload", "");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ok.body()).getJsonArray("errors")).isEmpty();

    HttpResponse<String> graph = vigil.get("/api/v1/runbooks/disk/graph?format=mermaid");
    assertThat(graph.statusCode()).isEqualTo(200);
    assertThat(graph.body())
        .isEqualTo(
            "flowchart TD\n  usage[\"usage (http)\"]\n  settle[\"settle (wait)\"]\n  usage --> settle\n");
    assertThat(vigil.get("/api/v1/runbooks/disk/graph?format=png").statusCode()).isEqualTo(400);
    assertThat(vigil.get("/api/v1/runbooks/nope/graph").body())
        .isEqualTo("{\"error\":\"runbook nope does not exist\"}");

    Files.writeString(
        dir.resolve("runbooks/broken.yaml"),
        "name: broken\nmatch: ['a = \"b\"']\nsteps:\n  - id: x\n    wait: 30\n");
    HttpResponse<String> rejected = vigil.post("/-/reload", "");
    assertThat(rejected.statusCode()).isEqualTo(422);
    assertThat(new JsonObject(rejected.body()).getJsonArray("errors").getList())
        .containsExactly(
            "runbooks/broken.yaml:5:11: steps[0].wait: duration \"30\" needs a unit, e.g. 30s (units: ms, s, m, h, d)");
    JsonObject broken = entry("broken");
    assertThat(broken.getBoolean("valid")).isFalse();
    assertThat(broken.getBoolean("serving")).isFalse();
    assertThat(broken.getValue("version")).isNull();
    assertThat(entry("disk").getBoolean("valid")).isTrue();
  }

  @Test
  void anUnknownRunIsA404NotAnUnansweredRequest() {
    vigil = TestDaemon.start(dir, "");
    HttpResponse<String> r =
        vigil.get("/api/v1/runs/RUN-41"); // this request used to hang: the 404 was thrown inside a
    // callback
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("run RUN-41 does not exist");
  }
}
