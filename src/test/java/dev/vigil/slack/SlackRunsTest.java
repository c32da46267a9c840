package dev.vigil.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vigil.config.Secret;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Severity;
import dev.vigil.incident.UnusedIncidentStore;
import dev.vigil.slack.fake.ChatOpsSlack;
import dev.vigil.timer.FakeClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Run, approve and reject from Slack against the Slack adapter's interfaces ({@link RunStarter},
 * {@link Approvals}) that the daemon binds to the runbook engine, plus the three-second fallback of
 * a quick command and the response_url limits. The Slack endpoints run on a real HTTP server on
 * loopback; the runbook engine and the incident store are test doubles that the test completes by
 * hand, so "answered before the slow work finished" is observed, not timed.
 */
class SlackRunsTest {
  static final String SECRET = "s3cret";
  static final Instant NOW = Instant.parse("2026-11-30T06:00:00Z");
  static final IncidentId INC1 = new IncidentId(1);

  record Decision(String run, boolean approve, String by) {}

  record Start(String runbook, IncidentId incident, String by) {}

  final FakeClock clock = new FakeClock(NOW);
  final List<Start> starts = new CopyOnWriteArrayList<>();
  final List<Decision> decisions = new CopyOnWriteArrayList<>();
  volatile Promise<RunSummary> startResult;
  volatile Promise<Set<String>> oncallGroup;
  volatile Incident incident =
      new Incident(
          INC1,
          IncidentStatus.TRIGGERED,
          Severity.CRITICAL,
          "disk",
          "eu",
          "Disk almost full on db-1",
          "g",
          Map.of(),
          1,
          1,
          NOW,
          null,
          null,
          null,
          null,
          false);
  Vertx vertx;
  HttpServer server;
  ChatOpsSlack slack;
  SignedSlack s;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    slack = new ChatOpsSlack("xoxb-test");
    RunStarter runs =
        (runbook, inc, by) -> {
          starts.add(new Start(runbook, inc, by));
          startResult = Promise.promise();
          return startResult.future();
        };
    Approvals approvals =
        (run, approve, by) -> {
          decisions.add(new Decision(run, approve, by));
          if (run.equals("RUN-9")) {
            return Future.failedFuture(
                new Refusal("run RUN-9 is succeeded and waits for no approval"));
          }
          return Future.succeededFuture(
              new RunSummary(run, "disk-almost-full", "INC-1", approve ? "running" : "failed"));
        };
    UserGroups groups =
        group -> {
          if (group.equals("S0ONCALL")) {
            oncallGroup = Promise.promise();
            return oncallGroup.future();
          }
          return Future.succeededFuture(Set.of("UAPPROVER"));
        };
    Gatekeeper gate =
        new Gatekeeper(
            Map.of(
                "run",
                List.of("URUNNER"),
                "approve",
                List.of("S0APPROVERS"),
                "resolve",
                List.of("S0ONCALL")),
            groups);
    Responder responder =
        new Responder(
            new Responder.Deps(new OneIncident(), null, null, null, runs, approvals, gate, clock));
    ResponseUrls urls = new ResponseUrls(WebClient.create(vertx), clock, slack.apiUrl());
    SlackApi api =
        new SlackApi(
            vertx,
            new RequestVerifier(new Secret(SECRET), clock),
            responder,
            urls,
            urls.updater(),
            new OneIncident(),
            new SimpleMeterRegistry(),
            clock,
            200);
    Router router = Router.router(vertx);
    api.mount(router);
    server =
        vertx
            .createHttpServer()
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    s = new SignedSlack("http://127.0.0.1:" + server.actualPort(), SECRET, clock);
  }

  @AfterEach
  void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
    slack.close();
  }

  JsonObject command(String user, String text, String responseId) {
    long[] ms = new long[1];
    HttpResponse<String> r = s.command(user, text, slack.url("/response/" + responseId), ms);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ms[0]).isLessThan(3000);
    return new JsonObject(r.body());
  }

  JsonObject firstResponse(String id) {
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses(id).isEmpty());
    return slack.responses(id).get(0);
  }

  @Test
  void runAnswersBeforeTheRunbookEngineDoesAndTheResultFollowsOnTheResponseUrl() {
    JsonObject r = command("URUNNER", "run disk-almost-full INC-1", "run");
    assertThat(r.getString("text")).isEqualTo("Working on `/vigil run`…");
    assertThat(starts).containsExactly(new Start("disk-almost-full", INC1, "slack:URUNNER"));
    assertThat(startResult.future().isComplete())
        .isFalse(); // the answer came while the run was still being started
    assertThat(slack.responses("run")).isEmpty();

    startResult.complete(new RunSummary("RUN-7", "disk-almost-full", "INC-1", "running"));
    assertThat(firstResponse("run"))
        .isEqualTo(
            new JsonObject()
                .put("response_type", "in_channel")
                .put(
                    "text",
                    "<@URUNNER> started RUN-7 of runbook disk-almost-full for INC-1 (running)."));
  }

  @Test
  void approveAndRejectDecideTheWaitingRunAsTheSlackUser() {
    command("UAPPROVER", "approve RUN-7", "ok");
    assertThat(firstResponse("ok").getString("text"))
        .isEqualTo("RUN-7 approved by <@UAPPROVER>; the run is running.");
    command("UAPPROVER", "reject run-8", "no");
    assertThat(firstResponse("no").getString("text"))
        .isEqualTo("RUN-8 rejected by <@UAPPROVER>; the run is failed.");
    assertThat(decisions)
        .containsExactly(
            new Decision("RUN-7", true, "slack:UAPPROVER"),
            new Decision("RUN-8", false, "slack:UAPPROVER"));

    command("UAPPROVER", "approve RUN-9", "done");
    assertThat(firstResponse("done"))
        .isEqualTo(
            new JsonObject()
                .put("response_type", "ephemeral")
                .put("text", "run RUN-9 is succeeded and waits for no approval"));
  }

  @Test
  void runAndApproveAreRefusedToOthers() {
    command("USOMEONE", "run disk-almost-full INC-1", "r");
    assertThat(firstResponse("r").getString("text"))
        .isEqualTo(
            "<@USOMEONE> may not run from Slack: chatops.allow.run lets only the"
                + " listed users do it. Ask a lead to add you.");
    command("USOMEONE", "reject RUN-7", "a");
    assertThat(firstResponse("a").getString("text"))
        .startsWith("<@USOMEONE> may not approve from Slack");
    assertThat(starts).isEmpty();
    assertThat(decisions).isEmpty();
  }

  static String click(String user, String actionId, String value, String responseUrl) {
    return SlackCommandsTest.click(user, actionId, value, responseUrl);
  }

  @Test
  void theApproveButtonResumesTheRunAndRewritesTheApprovalMessage() {
    HttpResponse<String> r =
        s.signed(
            "/slack/interactions",
            click("UAPPROVER", "approve", "RUN-7", slack.url("/response/btn")));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject update = firstResponse("btn");
    assertThat(update)
        .isEqualTo(
            new JsonObject()
                .put("replace_original", true)
                .put("text", "RUN-7 approved by <@UAPPROVER>; the run is running."));
    assertThat(decisions).containsExactly(new Decision("RUN-7", true, "slack:UAPPROVER"));
  }

  @Test
  void theRejectButtonIsRefusedToOthersAndTheMessageStays() {
    s.signed(
        "/slack/interactions", click("USOMEONE", "reject", "RUN-7", slack.url("/response/btn")));
    JsonObject told = firstResponse("btn");
    assertThat(told.getBoolean("replace_original")).isFalse();
    assertThat(told.getString("text")).startsWith("<@USOMEONE> may not approve from Slack");
    assertThat(decisions).isEmpty();
  }

  @Test
  void theRunButtonStartsTheRunbookAndRefreshesTheIncidentMessage() {
    s.signed(
        "/slack/interactions",
        click("URUNNER", "run", "disk-almost-full INC-1", slack.url("/response/btn")));
    await().atMost(Duration.ofSeconds(10)).until(() -> startResult != null);
    startResult.complete(new RunSummary("RUN-7", "disk-almost-full", "INC-1", "running"));
    JsonObject update = firstResponse("btn");
    assertThat(update.getBoolean("replace_original")).isTrue();
    assertThat(update.getString("text"))
        .isEqualTo("INC-1: Disk almost full on db-1 [critical, triggered]");
    assertThat(starts).containsExactly(new Start("disk-almost-full", INC1, "slack:URUNNER"));
  }

  @Test
  void anUnknownButtonIsExplainedToTheClicker() {
    s.signed("/slack/interactions", click("U1", "frobnicate", "x", slack.url("/response/btn")));
    assertThat(firstResponse("btn").getString("text"))
        .isEqualTo("this button (frobnicate) is not one Vigil knows");
  }

  @Test
  void aQuickCommandThatRunsLateAnswersWorkingOnItAndPostsTheResultLater() {
    JsonObject r =
        command(
            "UONCALL",
            "resolve INC-1 done",
            "late"); // waits on the user-group lookup, which the test holds
    assertThat(r.getString("text")).isEqualTo("Working on `/vigil resolve`…");
    assertThat(slack.responses("late")).isEmpty();
    oncallGroup.complete(Set.of("UONCALL"));
    assertThat(firstResponse("late").getString("text"))
        .isEqualTo("INC-1 resolved by <@UONCALL>: done. _Disk almost full on db-1_");
    assertThat(incident.resolvedBy()).isEqualTo("slack:UONCALL");
  }

  @Test
  void aResponseUrlTakesFiveUsesWithinThirtyMinutes() {
    ResponseUrls urls = new ResponseUrls(WebClient.create(vertx), clock, slack.apiUrl());
    String url = slack.url("/response/five");
    urls.received(url);
    for (int i = 0; i < 5; i++) {
      urls.post(url, new JsonObject().put("text", "use " + i))
          .toCompletionStage()
          .toCompletableFuture()
          .join();
    }
    assertThatThrownBy(
            () ->
                urls.post(url, new JsonObject().put("text", "sixth"))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .join())
        .hasMessageContaining("response_url used 5 times already");
    assertThat(slack.responses("five")).hasSize(5);

    String other = slack.url("/response/old");
    urls.received(other);
    clock.advance(Duration.ofMinutes(30));
    assertThatThrownBy(
            () ->
                urls.post(other, new JsonObject().put("text", "late"))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .join())
        .hasMessageContaining("response_url is older than 30 minutes");
    assertThat(slack.responses("old")).isEmpty();
  }

  @Test
  void aResponseUrlThatIsNotOnSlackIsNotPostedTo() {
    ResponseUrls urls = new ResponseUrls(WebClient.create(vertx), clock, "https://slack.com/api/");
    String fake = slack.url("/response/elsewhere"); // a live server, but not Slack's host
    urls.received(fake);
    assertThatThrownBy(
            () ->
                urls.post(fake, new JsonObject().put("text", "INC-1 details"))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .join())
        .hasMessageContaining(
            "response_url "
                + fake
                + " is not on Slack (https://hooks.slack.com/, https://hooks.slack-gov.com/,"
                + " https://slack.com/): not posted");
    assertThat(slack.responses("elsewhere")).isEmpty();
    // a look-alike host does not pass either
    assertThatThrownBy(
            () ->
                urls.post("https://hooks.slack.com.evil.example/x", new JsonObject())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .join())
        .hasMessageContaining("is not on Slack");
  }

  /** One incident in memory: enough for the commands and buttons these tests use. */
  final class OneIncident extends UnusedIncidentStore {
    @Override
    public Future<Optional<Incident>> get(IncidentId id) {
      return Future.succeededFuture(id.equals(INC1) ? Optional.of(incident) : Optional.empty());
    }

    @Override
    public Future<Incident> resolve(IncidentId id, String by, String text, Instant now) {
      Incident i = incident;
      incident =
          new Incident(
              i.id(),
              IncidentStatus.RESOLVED,
              i.severity(),
              i.type(),
              i.team(),
              i.title(),
              i.groupKey(),
              i.labels(),
              i.alertCount(),
              0,
              i.openedAt(),
              i.acknowledgedAt(),
              i.acknowledgedBy(),
              now,
              by,
              false);
      return Future.succeededFuture(incident);
    }
  }
}
