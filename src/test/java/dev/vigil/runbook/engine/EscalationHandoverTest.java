package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With teams configured, escalation waits while a runbook that promises to hand over handles the
 * incident, and starts when the run fails; a runbook that would not hand over does not hold it.
 */
class EscalationHandoverTest {
  @TempDir Path dir;
  LocalServer server;
  RunbookFixture f;

  @BeforeEach
  void setUp() throws Exception {
    server = new LocalServer();
    Files.createDirectories(dir.resolve("config"));
    Files.writeString(
        dir.resolve("config/teams.yaml"), TestDaemon.resource("config/good/teams.yaml"));
  }

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
    server.close();
  }

  static List<String> kinds(JsonObject incident) {
    return incident.getJsonArray("timeline").stream()
        .map(JsonObject.class::cast)
        .map(e -> e.getString("kind"))
        .toList();
  }

  @Test
  void escalationWaitsForTheRunAndStartsWhenItFails() {
    server.route("/fix", n -> LocalServer.HOLD);
    f =
        RunbookFixture.start(
            dir,
            "",
            Map.of(
                "fix",
                ("""
        name: fix
        match: ['alertname = "Fixable"']
        steps:
          - {id: fix, http: {url: "$BASE/fix", expectStatus: [204]}}
        onFailure: escalate
        """)
                    .replace("$BASE", server.base())));
    String inc = f.fire("{\"alertname\": \"Fixable\", \"severity\": \"warning\"}");
    RunId run = f.runOf(inc);
    await().atMost(Duration.ofSeconds(20)).until(() -> server.holding() == 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> kinds(f.incident(inc)).contains("escalation-held"));
    assertThat(kinds(f.incident(inc))).doesNotContain("escalation-started");
    server.release(); // 200, not the expected 204: the run fails
    f.awaitStatus(run, RunStatus.FAILED);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> kinds(f.incident(inc)).contains("escalated"));
    List<String> kinds = kinds(f.incident(inc));
    assertThat(kinds).contains("escalation-started");
    assertThat(kinds.indexOf("runbook-handover")).isGreaterThan(kinds.indexOf("escalation-held"));
  }

  @Test
  void aRunbookThatWouldNotHandOverDoesNotHoldEscalation() {
    server.route("/look", n -> LocalServer.HOLD);
    f =
        RunbookFixture.start(
            dir,
            "",
            Map.of(
                "look",
                ("""
        name: look
        match: ['alertname = "Lookable"']
        steps:
          - {id: look, http: {url: "$BASE/look"}}
        onFailure: none
        """)
                    .replace("$BASE", server.base())));
    String inc = f.fire("{\"alertname\": \"Lookable\", \"severity\": \"warning\"}");
    f.runOf(inc);
    await().atMost(Duration.ofSeconds(20)).until(() -> server.holding() == 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> kinds(f.incident(inc)).contains("escalated")); // paged at once
    assertThat(kinds(f.incident(inc))).doesNotContain("escalation-held");
    server.release();
  }
}
