package dev.vigil.http;

import static dev.vigil.TestDaemon.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.timer.FakeClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading teams.yaml and classification.yaml in a running daemon (POST /-/reload and the method
 * SIGHUP calls): an edit takes effect for on-call, triage and paging; a bad edit is rejected whole
 * and the last good files keep serving. Monday 06:00 UTC: eu covers 05:00–13:00 in the shipped
 * teams.
 */
class RoutingReloadTest {
  static final String HOOK = "/api/v1/alerts/alertmanager";
  static final Instant MONDAY_0600 = Instant.parse("2026-11-30T06:00:00Z");

  /** India takes the morning from eu: at 06:00 only india covers. */
  static final Map<String, String> INDIA_MORNINGS =
      Map.of(
          "coverage: [{ from: \"05:00\", to: \"13:00\" }]",
              "coverage: [{ from: \"07:00\", to: \"13:00\" }]",
          "coverage: [{ from: \"09:00\", to: \"17:00\" }]",
              "coverage: [{ from: \"05:00\", to: \"17:00\" }]");

  /**
   * A first rule that makes every HostHigh* alert critical, whatever its own severity label says.
   */
  static final String HOST_HIGH_IS_CRITICAL =
      "rules:\n  - match: [ 'alertname =~ \"HostHigh.*\"' ]\n    severity: critical\n    type: host\n";

  @TempDir Path dir;
  final FakeClock clock = new FakeClock(MONDAY_0600);

  @BeforeEach
  void shippedTeamsAndClassification() throws Exception {
    TestDaemon.copyShippedRouting(dir);
  }

  Path teams() {
    return dir.resolve("config/teams.yaml");
  }

  Path classification() {
    return dir.resolve("config/classification.yaml");
  }

  TestDaemon start() {
    return TestDaemon.start(dir, "", Map.of(), clock);
  }

  static void edit(Path file, Map<String, String> replacements) throws Exception {
    String text = Files.readString(file);
    for (var r : replacements.entrySet()) {
      assertThat(text).contains(r.getKey());
      text = text.replace(r.getKey(), r.getValue());
    }
    Files.writeString(file, text);
  }

  /** One firing alert named {@code name} with the {@code severity} label, in a group of its own. */
  static String alert(String name, String severity) {
    return resource("webhooks/webhook-v4-1alert.json")
        .replace("HostHighCpuLoad", name)
        .replace("\"critical\"", "\"" + severity + "\"")
        .replace(
            "c1b78d5e0e8bac2b",
            String.format("%016x", (long) (name + severity).hashCode())); // another alert
  }

  static JsonObject json(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  static List<Object> active(TestDaemon d) {
    return json(d.get("/api/v1/oncall")).getJsonArray("active").getList();
  }

  static List<String> timeline(TestDaemon d, String id) {
    return json(d.get("/api/v1/incidents/" + id)).getJsonArray("timeline").stream()
        .map(e -> ((JsonObject) e).getString("kind") + ": " + ((JsonObject) e).getString("text"))
        .toList();
  }

  static String metric(TestDaemon d, String series) {
    return d.get("/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .findFirst()
        .orElse(series + " absent");
  }

  @Test
  void anEditedCoverageWindowChangesWhoIsOnCallAndWhoANewAlertPages() throws Exception {
    try (TestDaemon d = start()) {
      assertThat(active(d)).containsExactly("eu");
      edit(teams(), INDIA_MORNINGS);

      HttpResponse<String> r = d.post("/-/reload", "");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json(r))
          .isEqualTo(
              new JsonObject()
                  .put("runbooks", 0)
                  .put("teams", 4)
                  .put("classificationRules", 3)
                  .put("errors", new JsonArray()));
      assertThat(active(d)).containsExactly("india");
      assertThat(json(d.get("/api/v1/oncall")).getJsonObject("next"))
          .isEqualTo(new JsonObject().put("team", "eu").put("at", "2026-11-30T07:00:00Z"));

      assertThat(d.post(HOOK, alert("HostHighCpuLoad", "critical")).statusCode()).isEqualTo(202);
      assertThat(json(d.get("/api/v1/incidents/INC-1")).getString("team")).isEqualTo("india");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  timeline(d, "INC-1")
                      .contains(
                          "notified: paged team india (level 1) via the log; slack not configured (no PagerDuty routing key or Slack bot token), so nobody was messaged"));
      assertThat(timeline(d, "INC-1"))
          .contains(
              "escalated: level 1: paging team india (notify active, via slack); next level in 5m unless acknowledged");
    }
  }

  @Test
  void aNewClassificationRuleGivesNewAlertsTheNewSeverity() throws Exception {
    try (TestDaemon d = start()) {
      d.post(HOOK, alert("HostHighCpuLoad", "warning"));
      assertThat(json(d.get("/api/v1/incidents/INC-1")).getString("severity")).isEqualTo("warning");

      edit(classification(), Map.of("rules:\n", HOST_HIGH_IS_CRITICAL));
      HttpResponse<String> r = d.post("/-/reload", "");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json(r).getInteger("classificationRules")).isEqualTo(4);

      d.post(HOOK, alert("HostHighMemory", "warning"));
      JsonObject inc = json(d.get("/api/v1/incidents/INC-2"));
      assertThat(inc.getString("severity")).isEqualTo("critical");
      assertThat(inc.getString("type")).isEqualTo("host");
      assertThat(json(d.get("/api/v1/incidents/INC-1")).getString("severity"))
          .isEqualTo("warning"); // only new incidents
    }
  }

  @Test
  void aBadTeamsFileIsRejectedWholeAndTheLastGoodTeamsAndClassificationKeepServing()
      throws Exception {
    try (TestDaemon d = start()) {
      // a teams edit with a typo and a valid classification edit: neither file is taken. (The bad
      // file is
      // written first and whole, so a reload the folder watch makes in between is refused too.)
      Map<String, String> badTeams = new HashMap<>(INDIA_MORNINGS);
      badTeams.put("overlap: first", "overlapp: first");
      edit(teams(), badTeams);
      edit(classification(), Map.of("rules:\n", HOST_HIGH_IS_CRITICAL));
      int line =
          Files.readAllLines(teams())
                  .indexOf(
                      Files.readAllLines(teams()).stream()
                          .filter(l -> l.startsWith("overlapp:"))
                          .findFirst()
                          .orElseThrow())
              + 1;

      HttpResponse<String> r = d.post("/-/reload", "");
      assertThat(r.statusCode()).isEqualTo(422);
      JsonObject body = json(r);
      assertThat(body.getInteger("teams")).isEqualTo(4);
      assertThat(body.getInteger("classificationRules")).isEqualTo(3); // the old rules still serve
      assertThat(body.getJsonArray("errors").getList())
          .singleElement()
          .asString()
          .endsWith(
              "config/teams.yaml:"
                  + line
                  + ":1: unknown key \"overlapp\" (did you mean \"overlap\"?)");
      assertThat(body.getString("error"))
          .isEqualTo(
              "1 problem in teams.yaml or classification.yaml; neither was loaded and the last good teams and classification keep serving");
      // this reload, and any the folder watch made meanwhile
      assertThat(metric(d, "vigil_config_reload_errors_total{file=\"teams\"}"))
          .matches(".* [1-9][0-9]*\\.0");
      assertThat(metric(d, "vigil_config_reload_errors_total{file=\"classification\"}"))
          .endsWith(" 0.0");

      assertThat(active(d)).containsExactly("eu");
      d.post(HOOK, alert("HostHighMemory", "warning"));
      JsonObject inc = json(d.get("/api/v1/incidents/INC-1"));
      assertThat(inc.getString("team")).isEqualTo("eu");
      assertThat(inc.getString("severity")).isEqualTo("warning");

      // the fix is taken, both files together
      edit(teams(), Map.of("overlapp: first", "overlap: first"));
      assertThat(d.post("/-/reload", "").statusCode()).isEqualTo(200);
      assertThat(active(d)).containsExactly("india");
      d.post(HOOK, alert("HostHighDisk", "warning"));
      assertThat(json(d.get("/api/v1/incidents/INC-2")).getString("severity"))
          .isEqualTo("critical");
    }
  }

  @Test
  void anEditIsTakenWithoutAnyReloadAndABadOneIsRefusedTheSameWay() throws Exception {
    try (TestDaemon d = start()) {
      assertThat(active(d)).containsExactly("eu");
      edit(teams(), INDIA_MORNINGS); // nothing else: the folder watch reloads
      await().atMost(Duration.ofSeconds(30)).until(() -> active(d).equals(List.of("india")));

      edit(teams(), Map.of("overlap: first", "overlapp: first"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> metric(d, "vigil_config_reload_errors_total{file=\"teams\"}").endsWith(" 1.0"));
      assertThat(active(d)).as("the last good teams keep serving").containsExactly("india");
      assertThat(metric(d, "vigil_config_reload_errors_total{file=\"classification\"}"))
          .endsWith(" 0.0");
    }
  }

  /**
   * What SIGHUP calls (ServeCommand): a teams.yaml absent at start is picked up; deleting it again
   * is refused.
   */
  @Test
  void theSighupReloadPicksUpATeamsFileThatAppearedAndRefusesItsDeletion() throws Exception {
    Path shipped = dir.resolve("teams.yaml.shipped");
    Files.move(teams(), shipped);
    try (TestDaemon d = start()) {
      assertThat(readyOncall(d)).isEqualTo("off: no teams.yaml, nobody is paged");
      assertThat(active(d)).isEmpty();

      Files.copy(shipped, teams());
      ReloadApi.Report report = reload(d);
      assertThat(report.ok()).isTrue();
      assertThat(report.teams()).isEqualTo(4);
      assertThat(readyOncall(d)).isEqualTo("4 team(s)");
      assertThat(active(d)).containsExactly("eu");

      Files.delete(teams());
      report = reload(d);
      assertThat(report.routingErrors())
          .singleElement()
          .asString()
          .endsWith(
              "config/teams.yaml:1:1: the file is gone; a reload"
                  + " does not take a deletion (nobody would be paged): restore it, or restart Vigil to run without teams");
      assertThat(report.teams()).isEqualTo(4);
      assertThat(readyOncall(d)).isEqualTo("4 team(s)");
      assertThat(active(d)).containsExactly("eu");
    }
  }

  static ReloadApi.Report reload(TestDaemon d) throws Exception {
    return d.daemon
        .reload("SIGHUP")
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  static String readyOncall(TestDaemon d) {
    return new JsonObject(d.get("/readyz").body())
        .getJsonObject("integrations")
        .getString("oncall");
  }
}
