package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.Main;
import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terminal client against a real daemon on loopback (port 0, SQLite, the shipped teams), run
 * in-process through picocli with captured output and an environment of the test's own: every
 * client subcommand in both output modes, and the exit codes a script relies on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCliTest {
  static final String TOKEN = "cli-token-5e2a";
  static final String RUNBOOK =
      """
      name: ask-first
      match: ['alertname = "CliApproval"']
      steps:
        - {id: ask, approval: {text: "go on with ${{ alert.labels.instance }}?", timeout: 1h}}
        - {id: settle, needs: [ask], wait: 10ms}
      """;

  Path dir;
  TestDaemon vigil;
  Map<String, String> env;
  final AtomicInteger instances = new AtomicInteger();

  record Run(int code, String out, String err) {}

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    TestDaemon.copyShippedRouting(dir);
    Files.createDirectories(dir.resolve("runbooks"));
    Files.writeString(dir.resolve("runbooks/ask-first.yaml"), RUNBOOK);
    vigil = TestDaemon.start(dir, "auth: {apiTokens: [\"" + TOKEN + "\"]}");
    env = Map.of("VIGIL_SERVER", vigil.url(""), "VIGIL_API_TOKEN", TOKEN, "USER", "alice");
  }

  @AfterAll
  void stop() {
    if (vigil != null) {
      vigil.close();
    }
  }

  Run vigil(String... args) {
    return vigilWith(env, args);
  }

  static Run vigilWith(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Posts one alert (its own incident) and returns the incident's id. */
  String incident(String alertname, String title) {
    String body =
        new JsonArray()
            .add(
                new JsonObject()
                    .put(
                        "labels",
                        new JsonObject()
                            .put("alertname", alertname)
                            .put("instance", "host-" + instances.incrementAndGet()))
                    .put("annotations", new JsonObject().put("summary", title)))
            .encode();
    HttpResponse<String> r = vigil.post("/api/v1/alerts", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return new JsonObject(r.body()).getJsonArray("incidents").getString(0);
  }

  /**
   * Opens an incident that the ask-first runbook runs for, and returns the run once it waits for
   * its approval.
   */
  String waitingRun() {
    String inc = incident("CliApproval", "needs a decision");
    String[] run = new String[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Run r = vigil("runs", "list", "--incident", inc, "-o", "json");
              assertThat(r.code()).as(r.err()).isZero();
              JsonArray runs = new JsonObject(r.out()).getJsonArray("runs");
              assertThat(runs).hasSize(1);
              assertThat(runs.getJsonObject(0).getString("status")).isEqualTo("waiting");
              run[0] = runs.getJsonObject(0).getString("id");
            });
    return run[0];
  }

  static JsonObject json(Run r) {
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    return new JsonObject(r.out());
  }

  // ---------------------------------------------------------------- incidents

  @Test
  void incidentsListShowsATableAndTheApiJson() {
    String id = incident("CliList", "disk almost full on db-1");
    Run text = vigil("incidents", "list");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .startsWith("ID ")
        .contains("STATUS", "SEVERITY", "TEAM", "OPENED", "TITLE");
    assertThat(text.out().lines().filter(l -> l.startsWith(id + " ")))
        .singleElement()
        .asString()
        .contains("triggered")
        .contains("disk almost full on db-1");

    JsonObject json =
        json(vigil("incidents", "list", "-o", "json", "--status", "triggered", "--limit", "1000"));
    assertThat(json.getJsonArray("incidents").stream().map(o -> ((JsonObject) o).getString("id")))
        .contains(id);
    // the API's JSON as answered: the same document GET /api/v1/incidents gives
    assertThat(json.fieldNames()).containsExactly("incidents");
  }

  @Test
  void incidentsShowPrintsTheIncidentWithItsAlertsAndTimeline() {
    String id = incident("CliShow", "cpu hot");
    Run text = vigil("incidents", "show", id);
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .startsWith(id + "  triggered")
        .contains(
            "title:        cpu hot",
            "alertname=CliShow",
            "alerts:",
            "CliShow",
            "runs:\n  none",
            "timeline:",
            "opened");

    JsonObject json =
        json(
            vigil(
                "incidents",
                "show",
                id.substring(4),
                "-o",
                "json")); // a bare number is the same incident
    assertThat(json.getString("id")).isEqualTo(id);
    assertThat(json.getJsonArray("alerts")).hasSize(1);
    assertThat(json.getJsonArray("timeline")).isNotEmpty();
  }

  @Test
  void ackResolveAndNoteChangeTheIncidentInBothModes() {
    String a = incident("CliAck", "one");
    Run ack = vigil("incidents", "ack", a, "-m", "looking");
    assertThat(ack.code()).as(ack.err()).isZero();
    assertThat(ack.out()).startsWith(a + " acknowledged by alice at ").endsWith(": one\n");
    Run resolve = vigil("incidents", "resolve", a, "--by", "bob");
    assertThat(resolve.out()).startsWith(a + " resolved by bob at ");
    Run note = vigil("incidents", "note", a, "root", "cause:", "a full disk");
    assertThat(note.out()).startsWith("note added to " + a + " by alice at ");
    JsonArray timeline = json(vigil("incidents", "show", a, "-o", "json")).getJsonArray("timeline");
    assertThat(timeline.stream().map(o -> ((JsonObject) o).getString("text")))
        .contains("root cause: a full disk");

    String b = incident("CliAck", "two");
    JsonObject acked = json(vigil("incidents", "ack", b, "-o", "json"));
    assertThat(acked.getString("status")).isEqualTo("acknowledged");
    assertThat(acked.getString("acknowledgedBy")).isEqualTo("alice");
    JsonObject noted = json(vigil("incidents", "note", b, "-o", "json", "checked"));
    assertThat(noted.getString("kind")).isEqualTo("note");
    assertThat(noted.getString("text")).isEqualTo("checked");
    JsonObject resolved = json(vigil("incidents", "resolve", b, "-o", "json"));
    assertThat(resolved.getString("status")).isEqualTo("resolved");
  }

  @Test
  void aRefusedChangeIsOneLineWithTheServersMessageAndExit1() {
    String id = incident("CliRefused", "x");
    assertThat(vigil("incidents", "resolve", id).code()).isZero();
    Run again = vigil("incidents", "resolve", id);
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.out()).isEmpty();
    assertThat(again.err())
        .isEqualTo("vigil: incident " + id + " is already resolved (by alice) (HTTP 409)\n");

    Run missing = vigil("incidents", "show", "INC-999999");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("vigil: incident INC-999999 does not exist (HTTP 404)\n");
  }

  @Test
  void controlCharactersFromAlertsAreShownEscapedInTablesButKeptInJson() {
    String id = incident("CliEscape", "red\u001b[31m alert\nINC-0  forged row\r");
    Run text = vigil("incidents", "list", "--limit", "1000");
    String line = text.out().lines().filter(l -> l.startsWith(id + " ")).findFirst().orElseThrow();
    assertThat(line).endsWith("red\\x1b[31m alert\\nINC-0  forged row\\r");
    assertThat(text.out()).doesNotContain("\u001b").doesNotContain("\r");
    assertThat(vigil("incidents", "show", id, "-o", "json").out())
        .contains("\\u001B[31m alert\\nINC-0");
  }

  // ---------------------------------------------------------------- runs

  @Test
  void runsListAndShowInBothModes() {
    String run = waitingRun();
    Run list = vigil("runs", "list", "--runbook", "ask-first");
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out())
        .startsWith("RUN ")
        .contains("RUNBOOK", "INCIDENT", "STARTED BY", "STEPS");
    assertThat(list.out().lines().filter(l -> l.startsWith(run + " ")))
        .singleElement()
        .asString()
        .contains("ask-first")
        .contains("waiting")
        .contains("0/2 done, ask waiting");

    Run show = vigil("runs", "show", run);
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.out())
        .startsWith(run + "  runbook ask-first  incident INC-")
        .contains("  waiting  (mode auto, started by auto)")
        .contains("STEP", "ask     approval  waiting", "settle  wait      pending", "until ");
    JsonObject json = json(vigil("runs", "show", run, "-o", "json"));
    assertThat(json.getString("id")).isEqualTo(run);
    assertThat(json.getJsonArray("steps").getJsonObject(0).getString("action"))
        .contains("go on with host-");
    assertThat(
            json(vigil("runs", "list", "-o", "json", "--status", "running"))
                .getJsonArray("runs")
                .stream()
                .map(o -> ((JsonObject) o).getString("id")))
        .contains(run);
  }

  @Test
  void approveNamesTheStepAndTheRunGoesOn() {
    String run = waitingRun();
    Run approve = vigil("runs", "approve", run, "ask");
    assertThat(approve.code()).as(approve.err()).isZero();
    assertThat(approve.out()).startsWith(run + ": step ask approved by alice; the run is ");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> json(vigil("runs", "show", run, "-o", "json")).getString("status"),
            "succeeded"::equals);

    String other = waitingRun();
    Run wrongStep = vigil("runs", "approve", other, "settle");
    assertThat(wrongStep.code()).isEqualTo(1);
    assertThat(wrongStep.err())
        .isEqualTo(
            "vigil: step settle of run " + other + " is a wait step, not an approval (HTTP 409)\n");
    Run noStep = vigil("runs", "approve", other, "nope");
    assertThat(noStep.code()).isEqualTo(1);
    assertThat(noStep.err())
        .isEqualTo(
            "vigil: run " + other + " has no step \"nope\" (steps: ask, settle) (HTTP 404)\n");
    JsonObject json = json(vigil("runs", "approve", other, "ask", "-o", "json", "--by", "carol"));
    assertThat(json.getJsonArray("steps").getJsonObject(0).getJsonObject("output").getString("by"))
        .isEqualTo("carol");
  }

  @Test
  void rejectFailsTheStepAndTheRun() {
    String run = waitingRun();
    Run reject = vigil("runs", "reject", run, "ask");
    assertThat(reject.code()).as(reject.err()).isZero();
    assertThat(reject.out()).startsWith(run + ": step ask rejected by alice; the run is ");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> json(vigil("runs", "show", run, "-o", "json")).getString("status"),
            "failed"::equals);

    String other = waitingRun();
    JsonObject json = json(vigil("runs", "reject", other, "ask", "-o", "json"));
    assertThat(json.getJsonArray("steps").getJsonObject(0).getString("status")).isEqualTo("failed");
    assertThat(json.getJsonArray("steps").getJsonObject(0).getString("error"))
        .isEqualTo("rejected by alice");
  }

  @Test
  void cancelEndsAWaitingRunAndASecondCancelIsRefused() {
    String run = waitingRun();
    Run cancel = vigil("runs", "cancel", run);
    assertThat(cancel.code()).as(cancel.err()).isZero();
    assertThat(cancel.out()).startsWith(run + " cancelled at ").endsWith(": cancelled by alice\n");
    JsonObject shown = json(vigil("runs", "show", run, "-o", "json"));
    assertThat(shown.getString("status")).isEqualTo("cancelled");
    assertThat(shown.getJsonArray("steps").stream().map(o -> ((JsonObject) o).getString("status")))
        .containsExactly("cancelled", "cancelled");
    Run again = vigil("runs", "cancel", run);
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("vigil: run " + run + " is cancelled already (HTTP 409)\n");

    String other = waitingRun();
    JsonObject json = json(vigil("runs", "cancel", other, "-o", "json", "--by", "dave"));
    assertThat(json.getString("status")).isEqualTo("cancelled");
    assertThat(json.getString("error")).isEqualTo("cancelled by dave");
  }

  @Test
  void showWatchFollowsTheRunUntilItEnds() throws Exception {
    String run = waitingRun();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> watching =
        CompletableFuture.supplyAsync(
            () ->
                Main.run(
                    new PrintWriter(out),
                    new PrintWriter(err),
                    env,
                    "runs",
                    "show",
                    run,
                    "--watch",
                    "--interval",
                    "20ms"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> out.toString().contains("ask     approval  waiting"));
    assertThat(vigil("runs", "approve", run, "ask").code()).isZero();
    assertThat(watching.get(30, TimeUnit.SECONDS)).as(err.toString()).isZero();
    // each change with the time the server stored; how many polls saw the run in between depends on
    // timing
    assertThat(out.toString())
        .contains("Z  step ask: waiting -> succeeded\n")
        .containsPattern("Z  run: (waiting|running) -> succeeded\n")
        .endsWith(run + " succeeded\n");

    String other = waitingRun();
    StringWriter jsonOut = new StringWriter();
    CompletableFuture<Integer> jsonWatch =
        CompletableFuture.supplyAsync(
            () ->
                Main.run(
                    new PrintWriter(jsonOut),
                    new PrintWriter(err),
                    env,
                    "runs",
                    "show",
                    other,
                    "-w",
                    "--interval",
                    "20ms",
                    "-o",
                    "json"));
    await().atMost(Duration.ofSeconds(20)).until(() -> !jsonOut.toString().isEmpty());
    assertThat(vigil("runs", "reject", other, "ask").code()).isZero();
    assertThat(jsonWatch.get(30, TimeUnit.SECONDS)).as("a run that failed: exit 1").isEqualTo(1);
    String[] lines = jsonOut.toString().split("\n");
    assertThat(lines.length).isGreaterThan(1);
    assertThat(new JsonObject(lines[0]).getString("status")).isEqualTo("waiting");
    assertThat(new JsonObject(lines[lines.length - 1]).getString("status")).isEqualTo("failed");
  }

  @Test
  void runsListRefusesBadFiltersWithTheServersMessage() {
    Run status = vigil("runs", "list", "--status", "bogus");
    assertThat(status.code()).isEqualTo(1);
    assertThat(status.err())
        .isEqualTo(
            "vigil: status: expected one of pending, running, succeeded, failed, timed-out, cancelled, "
                + "got \"bogus\" (HTTP 400)\n");
    assertThat(vigil("runs", "list", "--status", "waiting").err())
        .isEqualTo(
            "vigil: status: waiting runs are stored as running: ask for status=running (HTTP 400)\n");
    assertThat(vigil("runs", "list", "--incident", "x-1").err())
        .isEqualTo(
            "vigil: incident: expected an incident id like INC-42, got \"x-1\" (HTTP 400)\n");
    assertThat(vigil("runs", "list", "--limit", "0").err())
        .isEqualTo("vigil: limit: expected a whole number from 1 to 1000, got \"0\" (HTTP 400)\n");
    HttpResponse<String> step =
        vigil.post(
            "/api/v1/runs/RUN-1/approve", "{\"step\": 3}", "Authorization", "Bearer " + TOKEN);
    assertThat(step.statusCode()).isEqualTo(400);
    assertThat(step.body())
        .isEqualTo("{\"error\":\"step: expected a string, the id of the approval step\"}");
    Run unknownRun = vigil("runs", "cancel", "RUN-999999");
    assertThat(unknownRun.code()).isEqualTo(1);
    assertThat(unknownRun.err()).isEqualTo("vigil: run RUN-999999 does not exist (HTTP 404)\n");
    Run badInterval = vigil("runs", "show", "RUN-1", "--watch", "--interval", "5");
    assertThat(badInterval.code()).isEqualTo(2);
    assertThat(badInterval.err()).startsWith("--interval: duration \"5\" needs a unit");
    Run tooOften = vigil("runs", "show", "RUN-1", "--watch", "--interval", "1ms");
    assertThat(tooOften.code()).isEqualTo(2);
    assertThat(tooOften.err()).startsWith("--interval: expected 10ms to 1h, got 1ms\n");
    Run noStep = vigil("runs", "approve", "RUN-1");
    assertThat(noStep.code()).isEqualTo(2);
    assertThat(noStep.err()).startsWith("Missing required parameter: 'STEP'");
  }

  // ---------------------------------------------------------------- overrides

  @Test
  void overridesAddListAndRemoveInBothModes() {
    Run add = vigil("overrides", "add", "india", "--duration", "2h", "--reason", "eu offsite");
    assertThat(add.code()).as(add.err()).isZero();
    assertThat(add.out()).matches("override \\d+: india on call from \\S+ until \\S+\n");
    String id = add.out().substring("override ".length(), add.out().indexOf(':'));
    Run list = vigil("overrides", "list");
    assertThat(list.out()).startsWith("ID ").contains("TEAM", "REASON");
    assertThat(list.out().lines().filter(l -> l.startsWith(id + " ")))
        .singleElement()
        .asString()
        .contains("india", "alice", "eu offsite");
    Run remove = vigil("overrides", "remove", id);
    assertThat(remove.code()).as(remove.err()).isZero();
    assertThat(remove.out()).isEqualTo("override " + id + " removed\n");
    Run gone = vigil("overrides", "remove", id);
    assertThat(gone.code()).isEqualTo(1);
    assertThat(gone.err()).isEqualTo("vigil: override " + id + " does not exist (HTTP 404)\n");

    JsonObject made =
        json(
            vigil(
                "overrides",
                "add",
                "us",
                "--from",
                "2026-11-29T00:00:00Z",
                "--until",
                "2026-11-29T02:00:00Z",
                "-o",
                "json"));
    assertThat(made.getString("team")).isEqualTo("us");
    assertThat(made.getString("until")).isEqualTo("2026-11-29T02:00:00Z");
    assertThat(json(vigil("overrides", "list", "-o", "json")).getJsonArray("overrides"))
        .isNotNull();
    Run removed = vigil("overrides", "remove", String.valueOf(made.getLong("id")), "-o", "json");
    assertThat(removed.code()).isZero();
    assertThat(removed.out()).as("DELETE answers 204 without a body: nothing to print").isEmpty();

    Run unknownTeam = vigil("overrides", "add", "mars", "--duration", "2h");
    assertThat(unknownTeam.code()).isEqualTo(1);
    assertThat(unknownTeam.err())
        .startsWith("vigil: team: unknown team \"mars\"; teams are us, eu, india")
        .endsWith("(HTTP 400)\n");
    Run neither = vigil("overrides", "add", "eu");
    assertThat(neither.code()).isEqualTo(2);
    assertThat(neither.err()).startsWith("give either --duration or --until (exactly one)\n");
    Run both =
        vigil("overrides", "add", "eu", "--duration", "2h", "--until", "2026-11-29T02:00:00Z");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).startsWith("give either --duration or --until (exactly one)\n");
    Run badDuration = vigil("overrides", "add", "eu", "--duration", "2 hours");
    assertThat(badDuration.code()).isEqualTo(1);
    assertThat(badDuration.err()).startsWith("vigil: duration: ").endsWith("(HTTP 400)\n");
  }

  // ---------------------------------------------------------------- server, token and exit codes

  @Test
  void aWrongTokenIsExit1WithTheServersMessage() {
    Map<String, String> wrong = new HashMap<>(env);
    wrong.put("VIGIL_API_TOKEN", "not-the-token");
    for (String[] args :
        new String[][] {
          {"incidents", "list"}, {"runs", "list", "-o", "json"}, {"overrides", "list"}
        }) {
      Run r = vigilWith(wrong, args);
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).isEqualTo("vigil: invalid bearer token for API endpoints (HTTP 401)\n");
    }
    Map<String, String> none = new HashMap<>(env);
    none.remove("VIGIL_API_TOKEN");
    Run r = vigilWith(none, "incidents", "list");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "vigil: missing bearer token: send Authorization: Bearer <API token> (HTTP 401)\n");
  }

  @Test
  void theTokenFileWinsOverTheEnvironment() throws Exception {
    Map<String, String> wrong = new HashMap<>(env);
    wrong.put("VIGIL_API_TOKEN", "not-the-token");
    Path file = dir.resolve("token");
    Files.writeString(file, TOKEN + "\n");
    assertThat(vigilWith(wrong, "incidents", "list", "--token-file", file.toString()).code())
        .isZero();

    Run missing = vigil("incidents", "list", "--token-file", dir.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err())
        .startsWith("--token-file: cannot read " + dir.resolve("nope") + " (no such file)\n");
    Files.writeString(file, "\n");
    Run empty = vigil("incidents", "list", "--token-file", file.toString());
    assertThat(empty.code()).isEqualTo(2);
    assertThat(empty.err()).startsWith("--token-file: " + file + " is empty\n");
    Files.writeString(file, "two words\n");
    Run spaced = vigil("incidents", "list", "--token-file", file.toString());
    assertThat(spaced.code()).isEqualTo(2);
    assertThat(spaced.err())
        .startsWith(
            "--token-file: "
                + file
                + " holds spaces, line breaks or non-ASCII characters inside the token");
  }

  @Test
  void anUnreachableServerIsExit3() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // nothing listens there once the socket is closed
    }
    String url = "http://127.0.0.1:" + closed;
    for (String[] args :
        new String[][] {
          {"incidents", "list"}, {"runs", "show", "RUN-1"}, {"overrides", "list", "-o", "json"}
        }) {
      Run r = vigil(concat(args, "--server", url));
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(3);
      assertThat(r.err())
          .isEqualTo(
              "vigil: cannot reach "
                  + url
                  + " (connection refused); set --server or VIGIL_SERVER to where Vigil listens\n");
    }
    Map<String, String> viaEnv = new HashMap<>(env);
    viaEnv.put("VIGIL_SERVER", url);
    assertThat(vigilWith(viaEnv, "incidents", "list").code()).isEqualTo(3);
    assertThat(vigilWith(viaEnv, "incidents", "list", "--server", vigil.url("")).code())
        .as("--server wins")
        .isZero();
  }

  @Test
  void aServerThatIsNotVigilIsRefusedInOneLine() throws Exception {
    // another web server at the URL (a proxy's error page, the wrong port): not Vigil's JSON
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext(
        "/api/v1/incidents",
        x -> {
          byte[] page = "<html>\n<h1>Welcome</h1>\n</html>".getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, page.length);
          x.getResponseBody().write(page);
          x.close();
        });
    other.createContext(
        "/api/v1/overrides",
        x -> {
          byte[] page = "Bad Gateway\r\n".getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(502, page.length);
          x.getResponseBody().write(page);
          x.close();
        });
    other.start();
    try {
      String url = "http://127.0.0.1:" + other.getAddress().getPort();
      Run html = vigil("incidents", "list", "--server", url);
      assertThat(html.code()).isEqualTo(1);
      assertThat(html.err())
          .isEqualTo(
              "vigil: GET /api/v1/incidents: the answer is not JSON (is "
                  + url
                  + " a Vigil server?): <html> <h1>Welcome</h1> </html>\n");
      Run gateway = vigil("overrides", "list", "--server", url);
      assertThat(gateway.code()).isEqualTo(1);
      assertThat(gateway.err())
          .isEqualTo("vigil: HTTP 502 from GET /api/v1/overrides: Bad Gateway\n");
    } finally {
      other.stop(0);
    }
  }

  @Test
  void aBadServerUrlIsAUsageError() {
    Run r = vigil("incidents", "list", "--server", "127.0.0.1:8080");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("--server: expected a URL like http://127.0.0.1:8080, got \"127.0.0.1:8080\"");
    Map<String, String> bad = new HashMap<>(env);
    bad.put("VIGIL_SERVER", "ftp://vigil");
    Run e = vigilWith(bad, "runs", "list");
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.err())
        .startsWith(
            "VIGIL_SERVER: expected a URL like http://127.0.0.1:8080, got \"ftp://vigil\"\n");
    Run badOutput = vigil("incidents", "list", "-o", "yaml");
    assertThat(badOutput.code()).isEqualTo(2);
    assertThat(badOutput.err())
        .startsWith("Invalid value for option '--output': expected one of [text, json]");
  }

  @Test
  void anIdCannotLeaveItsPathSegment() {
    Run r = vigil("incidents", "show", "../runs");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("vigil: incident ../runs does not exist (ids look like INC-42) (HTTP 404)\n");
  }

  static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
