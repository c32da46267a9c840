package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.TestStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas (daemons in this JVM, real time, 3 s leases) on one PostgreSQL database: a runbook's
 * {@code concurrency.limit} holds over both, and a run queued on one replica starts there once a
 * slot frees on the other ([F7]).
 */
class ConcurrencyAcrossReplicasPostgresTest {
  @TempDir Path dir;
  LocalServer server;
  TestDaemon a;
  TestDaemon b;

  @BeforeEach
  void start() throws Exception {
    server = new LocalServer();
    // the first call holds until released, like a host restart in progress; later calls answer at
    // once
    server.route("/restart", n -> n == 1 ? LocalServer.HOLD : new LocalServer.Reply(200, "{}"));
    String store = "store: {url: \"" + TestStore.createDatabase() + "\"}\n";
    String runbook =
        """
        name: restart
        match: ['alertname = "restart"']
        concurrency: {key: "db-hosts", limit: 1}
        steps:
          - {id: restart, http: {url: "$BASE/restart?host=${{ alert.labels.instance }}"}}
        onSuccess: none
        onFailure: none
        """
            .replace("$BASE", server.base());
    for (String replica : new String[] {"a", "b"}) {
      Files.createDirectories(dir.resolve(replica + "/runbooks"));
      Files.writeString(dir.resolve(replica + "/runbooks/restart.yaml"), runbook);
    }
    // one after the other: the first applies the migrations
    a =
        TestDaemon.start(
            dir.resolve("a"),
            store + "ha: {replicaId: replica-a, leaseTtl: 3s}\n",
            Map.of(),
            Clock.systemUTC());
    b =
        TestDaemon.start(
            dir.resolve("b"),
            store + "ha: {replicaId: replica-b, leaseTtl: 3s}\n",
            Map.of(),
            Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    server.release();
    for (TestDaemon d : new TestDaemon[] {b, a}) {
      if (d != null) {
        d.close();
      }
    }
    server.close();
  }

  @Test
  void aLimitOfOneHoldsAcrossReplicasAndTheQueuedRunStartsOnItsReplicaWhenTheSlotFrees() {
    RunId first = runOf(a, fire(a, "db-1"));
    await().atMost(Duration.ofSeconds(20)).until(() -> server.holding() == 1);
    RunId second = runOf(b, fire(b, "db-2"));

    // several lease periods, in which replica b asks for a slot again each time: still one restart
    // at a time
    await("one restart at a time while replica b keeps asking")
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.count("/restart") == 1 && run(b, second).status() == RunStatus.PENDING);
    assertThat(run(a, first).status()).isEqualTo(RunStatus.RUNNING);

    // db-1 is back: replica a's run ends, and replica b learns of the free slot within a lease
    // period
    server.release();
    assertThat(awaitStatus(a, first, RunStatus.SUCCEEDED).endedAt()).isNotNull();
    RunRecord done = awaitStatus(b, second, RunStatus.SUCCEEDED);
    assertThat(done.startedAt()).isAfterOrEqualTo(run(a, first).endedAt());
    assertThat(server.calls())
        .extracting(LocalServer.Call::query)
        .containsExactly("host=db-1", "host=db-2");
  }

  static String fire(TestDaemon d, String instance) {
    String body =
        "[{\"labels\": {\"alertname\": \"restart\", \"instance\": \""
            + instance
            + "\"}, \"annotations\": {\"summary\": \"test\"}}]";
    var r = d.post("/api/v1/alerts", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return new JsonObject(r.body()).getJsonArray("incidents").getString(0);
  }

  static RunId runOf(TestDaemon d, String incident) {
    await().atMost(Duration.ofSeconds(20)).until(() -> !runs(d, incident).isEmpty());
    return RunId.parse(runs(d, incident).getJsonObject(0).getString("id")).orElseThrow();
  }

  static JsonArray runs(TestDaemon d, String incident) {
    return new JsonObject(d.get("/api/v1/incidents/" + incident).body()).getJsonArray("runs");
  }

  static RunRecord run(TestDaemon d, RunId id) {
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

  static RunRecord awaitStatus(TestDaemon d, RunId id, RunStatus status) {
    await().atMost(Duration.ofSeconds(20)).until(() -> run(d, id).status() == status);
    return run(d, id);
  }
}
