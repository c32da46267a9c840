package dev.vigil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestStore;
import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.NotifyConfig;
import dev.vigil.runbook.engine.LocalServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * [F7] Three replicas of the packaged daemon on one PostgreSQL database, with 3 s leases:
 * duplicated webhooks, SIGKILL of the replica holding a run or an ack timer, and a database restart
 * under load.
 */
class HaIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String KEY_US = "fedcba9876543210fedcba9876543210";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final List<VigilProcess> replicas = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (VigilProcess r : replicas) {
      r.close();
    }
  }

  /**
   * Starts {@code n} replicas on {@code store} one after the other, each with its own config folder
   * holding the same files.
   *
   * @param team the lines of team eu in NotifyConfig's teams.yaml, unless {@code teams} replaces
   *     the file
   */
  void startCluster(int n, String store, String team, String teams, String vigil, String runbook)
      throws Exception {
    for (int i = 0; i < n; i++) {
      replicas.add(launchReplica(i, store, team, teams, vigil, runbook).awaitListening());
    }
  }

  /**
   * Launches the replicas of {@link #startCluster} all at once, as an orchestrator rolling them out
   * would.
   */
  void launchCluster(int n, String store, String team, String teams, String vigil, String runbook)
      throws Exception {
    for (int i = 0; i < n; i++) {
      replicas.add(launchReplica(i, store, team, teams, vigil, runbook));
    }
  }

  VigilProcess launchReplica(
      int i, String store, String team, String teams, String vigil, String runbook)
      throws Exception {
    Path home = dir.resolve("r" + i);
    Path config =
        NotifyConfig.write(
            home,
            team,
            vigil
                + "store: {url: \""
                + store
                + "\"}\n"
                + "ha: {replicaId: replica-"
                + i
                + ", leaseTtl: 3s}\n");
    if (teams != null) {
      Files.writeString(home.resolve("config/teams.yaml"), teams);
    }
    if (runbook != null) {
      Files.writeString(home.resolve("runbooks/rb.yaml"), runbook);
    }
    return VigilProcess.launch(config);
  }

  @Test
  void threeReplicasStartedAtOnceOnAnEmptyDatabaseAllBecomeReadyAndEachMigrationIsAppliedOnce()
      throws Exception {
    String store = TestStore.createDatabase();
    launchCluster(3, store, "", null, "", null);

    for (VigilProcess r : replicas) {
      r.awaitListening();
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(URI.create(r.url("/readyz"))).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(r.output()).isEqualTo(200);
    }
    // one row per migration in the jar, each with its checksum, read with psql
    Process p =
        new ProcessBuilder(
                "psql",
                store,
                "-At",
                "-c",
                "SELECT version || ' ' || COUNT(*) || ' ' || COUNT(checksum) FROM schema_migrations GROUP BY version ORDER BY version")
            .redirectErrorStream(true)
            .start();
    String rows = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(rows).isZero();
    List<String> bundled = new ArrayList<>();
    for (int v = 1; v <= 99; v++) {
      if (getClass().getClassLoader().getResource("db/postgres/V" + v + ".sql") != null) {
        bundled.add(v + " 1 1");
      }
    }
    assertThat(rows.lines().toList()).containsExactlyElementsOf(bundled);
    // and each applied by one replica: the others waited at the lock, then found nothing to do
    long applied = 0;
    for (VigilProcess r : replicas) {
      applied += r.output().lines().filter(l -> l.contains("store: applied migration")).count();
    }
    assertThat(applied).isEqualTo(bundled.size());
  }

  @Test
  void webhooksSpreadAndDuplicatedAcrossReplicasAreStoredOnceAndPageOncePerIncident()
      throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty()) {
      startCluster(
          3,
          TestStore.createDatabase(),
          NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY),
          null,
          "pagerduty: {eventsUrl: \"" + pd.url() + "\"}\n",
          null);
      int groups = 30;
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int g = 0; g < groups; g++) {
        String body = NotifyConfig.criticalWebhook("Group" + g);
        // every webhook to two replicas at once, a third of them to all three
        for (int r = 0; r < (g % 3 == 0 ? 3 : 2); r++) {
          sent.add(postAsync(replicas.get((g + r) % 3), "/api/v1/alerts/alertmanager", body));
        }
      }
      for (CompletableFuture<HttpResponse<String>> f : sent) {
        assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(202);
      }
      JsonArray incidents =
          replicas.get(0).getJson("/api/v1/incidents?limit=1000").getJsonArray("incidents");
      assertThat(incidents).hasSize(groups);
      for (int i = 0; i < incidents.size(); i++) {
        String id = incidents.getJsonObject(i).getString("id");
        JsonObject inc = replicas.get(i % 3).getJson("/api/v1/incidents/" + id);
        assertThat(inc.getJsonArray("alerts")).as("alerts of " + id).hasSize(1);
        assertThat(lines(inc, "opened")).as("opened lines of " + id).hasSize(1);
      }
      for (int i = 0; i < incidents.size(); i++) {
        String id = incidents.getJsonObject(i).getString("id");
        await()
            .atMost(WAIT)
            .until(
                () ->
                    lines(replicas.get(0).getJson("/api/v1/incidents/" + id), "notified").size()
                        == 1);
      }
      for (int i = 0; i < incidents.size(); i++) {
        String id = incidents.getJsonObject(i).getString("id");
        assertThat(pd.accepted(id, "trigger")).as("PagerDuty triggers for " + id).isEqualTo(1);
        assertThat(lines(replicas.get(1).getJson("/api/v1/incidents/" + id), "notified"))
            .hasSize(1);
      }
      assertThat(pd.acceptedEvents()).hasSize(groups);
    }
  }

  @Test
  void aRunWhoseReplicaIsKilledDuringAWaitIsFinishedByAnotherWithoutRepeatingFinishedSteps()
      throws Exception {
    try (LocalServer server = new LocalServer()) {
      server.ok("/first", "{}").ok("/last", "{}");
      startCluster(
          3,
          TestStore.createDatabase(),
          "",
          null,
          "",
          """
          name: ha
          match: ['alertname = "HaRun"']
          timeout: 10m
          steps:
            - {id: first, http: {url: "$BASE/first"}}
            - {id: nap, needs: [first], wait: 8s}
            - {id: last, needs: [nap], http: {url: "$BASE/last"}}
          onSuccess: resolve
          """
              .replace("$BASE", server.base()));
      VigilProcess holder = replicas.get(0);
      VigilProcess other = replicas.get(1);
      HttpResponse<String> accepted =
          holder.post("/api/v1/alerts", "[{\"labels\": {\"alertname\": \"HaRun\"}}]");
      assertThat(accepted.statusCode()).isEqualTo(202);
      String inc = new JsonObject(accepted.body()).getJsonArray("incidents").getString(0);
      await()
          .atMost(WAIT)
          .until(() -> !other.getJson("/api/v1/incidents/" + inc).getJsonArray("runs").isEmpty());
      String run =
          other
              .getJson("/api/v1/incidents/" + inc)
              .getJsonArray("runs")
              .getJsonObject(0)
              .getString("id");
      await()
          .atMost(WAIT)
          .until(() -> "waiting".equals(other.step(run, "nap").getString("status")));
      holder.kill();

      await()
          .atMost(WAIT)
          .until(
              () -> "succeeded".equals(other.getJson("/api/v1/runs/" + run).getString("status")));
      assertThat(server.count("/first")).as("finished before the kill: not repeated").isEqualTo(1);
      assertThat(server.count("/last")).isEqualTo(1);
      assertThat(other.step(run, "first").getInteger("attempts")).isEqualTo(1);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  "resolved".equals(other.getJson("/api/v1/incidents/" + inc).getString("status")));
      assertThat(replicas.get(1).output() + replicas.get(2).output())
          .contains("took over 1 unfinished run");
    }
  }

  @Test
  void anAckTimerWhoseReplicaIsKilledStillFiresOnce() throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty()) {
      String teams =
          """
          teams:
            - id: eu
              region: emea
              timezone: Europe/Berlin
              coverage: [{ from: "00:00", to: "00:00" }]
              pagerduty: { routingKey: "%s" }
            - id: us
              region: americas
              timezone: America/New_York
              coverage: [{ from: "00:00", to: "00:00" }]
              pagerduty: { routingKey: "%s" }
          escalation:
            policies:
              default:
                - { notify: active, ackTimeout: 5s }
                - { notify: "team:us" }
            bySeverity: { critical: default, error: default, warning: default, info: none }
          """
              .formatted(NotifyConfig.ROUTING_KEY, KEY_US);
      startCluster(
          3,
          TestStore.createDatabase(),
          "",
          teams,
          "pagerduty: {eventsUrl: \"" + pd.url() + "\"}\n",
          null);
      VigilProcess holder = replicas.get(2);
      HttpResponse<String> r =
          holder.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("AckTimer"));
      assertThat(r.statusCode()).isEqualTo(202);
      String id = new JsonObject(r.body()).getJsonArray("incidents").getString(0);
      // level 1 delivered and recorded (killed before recording, it would be sent again: PagerDuty
      // dedups that)
      await()
          .atMost(WAIT)
          .until(() -> lines(holder.getJson("/api/v1/incidents/" + id), "notified").size() == 1);
      holder.kill();

      await().atMost(WAIT).until(() -> triggers(pd, KEY_US) == 1);
      VigilProcess other = replicas.get(0);
      await()
          .atMost(WAIT)
          .until(() -> lines(other.getJson("/api/v1/incidents/" + id), "notified").size() == 2);
      assertThat(lines(other.getJson("/api/v1/incidents/" + id), "escalated"))
          .as("level 1 and level 2, once each")
          .hasSize(2);
      assertThat(triggers(pd, KEY_US)).isEqualTo(1);
      assertThat(triggers(pd, NotifyConfig.ROUTING_KEY)).isEqualTo(1);
    }
  }

  @Test
  void whileTheDatabaseRestartsIngestAnswers503AndNothingAcknowledgedIsLost() throws Exception {
    try (PrivatePostgres pg = PrivatePostgres.start()) {
      startCluster(1, pg.url(), "", null, "", null);
      VigilProcess vigil = replicas.get(0);
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicInteger unavailable = new AtomicInteger();
      AtomicInteger other = new AtomicInteger();
      AtomicBoolean down = new AtomicBoolean();
      AtomicInteger acceptedWhileDown = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger next = new AtomicInteger();
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread s =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    String name = "Load" + next.incrementAndGet();
                    boolean wasDown = down.get();
                    try {
                      int status =
                          vigil
                              .post(
                                  "/api/v1/alerts",
                                  "[{\"labels\": {\"alertname\": \"" + name + "\"}}]")
                              .statusCode();
                      if (status == 202) {
                        acknowledged.add(name);
                        if (wasDown && down.get()) {
                          acceptedWhileDown.incrementAndGet();
                        }
                      } else if (status == 503) {
                        unavailable.incrementAndGet();
                      } else {
                        other.incrementAndGet();
                      }
                    } catch (Exception e) {
                      other.incrementAndGet();
                    }
                  }
                });
        s.start();
        senders.add(s);
      }
      try {
        await().atMost(WAIT).until(() -> acknowledged.size() >= 200);
        pg.down();
        down.set(true);
        await().atMost(WAIT).until(() -> unavailable.get() >= 20);
        HttpResponse<String> ready =
            http.send(
                HttpRequest.newBuilder(URI.create(vigil.url("/readyz"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(ready.body()).getJsonObject("checks").getString("store"))
            .startsWith("failing");
        int before = acknowledged.size();
        down.set(false);
        pg.up();
        await().atMost(WAIT).until(() -> acknowledged.size() >= before + 200);
      } finally {
        stop.set(true);
        for (Thread s : senders) {
          s.join();
        }
      }
      assertThat(acceptedWhileDown.get()).as("202 while the database was down").isZero();
      assertThat(other.get()).as("answers other than 202 and 503").isZero();
      assertThat(vigil.alive()).isTrue();
      // the incident list stops at 1000: read every stored alert from the database itself
      assertThat(storedAlertnames(pg))
          .as("every acknowledged alert is stored")
          .containsAll(acknowledged);
    }
  }

  /** Every alertname in the alerts table, read with psql as the server's owner. */
  static Set<String> storedAlertnames(PrivatePostgres pg) throws Exception {
    Process p =
        new ProcessBuilder(
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(pg.port()),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-At",
                "-c",
                "SELECT labels FROM alerts")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    Set<String> names = ConcurrentHashMap.newKeySet();
    out.lines()
        .filter(l -> !l.isBlank())
        .forEach(l -> names.add(new JsonObject(l).getString("alertname")));
    return names;
  }

  static long triggers(FakePagerDuty pd, String routingKey) {
    return pd.acceptedEvents().stream()
        .filter(
            e ->
                routingKey.equals(e.getString("routing_key"))
                    && "trigger".equals(e.getString("event_action")))
        .count();
  }

  static List<String> lines(JsonObject incident, String kind) {
    JsonArray t = incident.getJsonArray("timeline");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      if (kind.equals(t.getJsonObject(i).getString("kind"))) {
        out.add(t.getJsonObject(i).getString("text"));
      }
    }
    return out;
  }

  CompletableFuture<HttpResponse<String>> postAsync(VigilProcess v, String path, String body) {
    return http.sendAsync(request(v, path, body), HttpResponse.BodyHandlers.ofString());
  }

  static HttpRequest request(VigilProcess v, String path, String body) {
    return HttpRequest.newBuilder(URI.create(v.url(path)))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
