package dev.vigil.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.fake.FakeSlack;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.RunbookFixture;
import dev.vigil.runbook.engine.StepStatus;
import dev.vigil.slack.fake.ChatOpsSlack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slack against the real runbook engine in a real daemon: the approval request is posted with
 * Approve and Reject buttons, an approval button resumes a waiting run, a typed reject fails it,
 * and {@code /vigil run} starts a run by hand — all recorded as the Slack user.
 */
class SlackEngineTest {
  static final String SECRET = "engine-secret";
  static final String RUNBOOK =
      """
      name: appr
      match: ['alertname = "Appr"']
      steps:
        - {id: ask, approval: {text: "restart ${{ alert.labels.instance }}?", timeout: 1h}}
        - {id: tell, needs: [ask], incident: {action: note, text: "go-ahead from ${{ steps.ask.output.by }}"}}
      """;
  static final String STRICT =
      """
      name: strict
      match: ['alertname = "Strict"']
      steps:
        - {id: confirm, approval: {text: "drop the cache?", approvers: ["UBOSS", "S0SRE"]}}
      """;

  @TempDir Path dir;
  ChatOpsSlack slack;
  RunbookFixture f;
  SignedSlack s;

  @BeforeEach
  void start() throws Exception {
    // with teams, incidents have a team; since [F5] the approval request goes to the outbox, which
    // needs one
    Files.createDirectories(dir.resolve("config"));
    Files.writeString(
        dir.resolve("config/teams.yaml"), TestDaemon.resource("config/good/teams.yaml"));
    slack = new ChatOpsSlack("xoxb-test");
    slack.groups.put("S0APPROVERS", Set.of("UAPPROVER", "UBOSS", "USRE"));
    slack.groups.put("S0SRE", Set.of("USRE"));
    f =
        RunbookFixture.start(
            dir,
            """
        slack:
          botToken: xoxb-test
          signingSecret: %s
          apiUrl: %s
        chatops:
          allow:
            approve: [S0APPROVERS]
        """
                .formatted(SECRET, slack.apiUrl()),
            Map.of("appr", RUNBOOK, "strict", STRICT));
    s = new SignedSlack(f.d.url(""), SECRET, f.clock);
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
    slack.close();
  }

  RunId waitingRun() {
    String inc = f.fire("{\"alertname\": \"Appr\", \"instance\": \"host-1\"}");
    RunId run = f.runOf(inc);
    f.awaitStep(run, "ask", StepStatus.WAITING);
    return run;
  }

  JsonObject firstResponse(String id) {
    await().atMost(Duration.ofSeconds(20)).until(() -> !slack.responses(id).isEmpty());
    return slack.responses(id).get(0);
  }

  @Test
  void theApproveButtonResumesTheWaitingRun() {
    RunId run = waitingRun();
    HttpResponse<String> r =
        s.signed(
            "/slack/interactions",
            SlackCommandsTest.click(
                "UAPPROVER", "approve", run.toString(), slack.url("/response/btn")));
    assertThat(r.statusCode()).isEqualTo(200);
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(f.step(run, "ask").output())
        .containsEntry("decision", "approved")
        .containsEntry("by", "slack:UAPPROVER");
    JsonObject update = firstResponse("btn");
    assertThat(update.getBoolean("replace_original")).isTrue();
    assertThat(update.getString("text")).startsWith(run + " approved by <@UAPPROVER>; the run is ");
    String incident = f.run(run).incident().toString();
    assertThat(
            f.incident(incident).getJsonArray("timeline").stream()
                .map(e -> ((JsonObject) e).getString("text")))
        .contains("go-ahead from slack:UAPPROVER");
  }

  @Test
  void theApprovalRequestInSlackCarriesTheButtonsThatDecideIt() {
    RunId run = waitingRun();
    await().atMost(Duration.ofSeconds(20)).until(() -> approvalRequest().isPresent());
    FakeSlack.Call post = approvalRequest().orElseThrow();
    assertThat(post.param("text"))
        .isEqualTo(
            "Approval needed for runbook appr ("
                + run
                + ", step ask): restart host-1? — use the "
                + "buttons, `/vigil approve "
                + run
                + "` or `/vigil reject "
                + run
                + "`, or POST /api/v1/runs/"
                + run
                + "/approve or /reject");
    JsonArray blocks = new JsonArray(post.param("blocks"));
    JsonArray buttons = blocks.getJsonObject(1).getJsonArray("elements");
    assertThat(buttons.stream().map(b -> ((JsonObject) b).getString("action_id")))
        .containsExactly("approve", "reject");
    assertThat(buttons.stream().map(b -> ((JsonObject) b).getString("value")))
        .containsOnly(run.toString());
    // what a click on the posted Reject button sends
    JsonObject reject = buttons.getJsonObject(1);
    s.signed(
        "/slack/interactions",
        SlackCommandsTest.click(
            "UAPPROVER",
            reject.getString("action_id"),
            reject.getString("value"),
            slack.url("/response/posted")));
    f.awaitStatus(run, RunStatus.FAILED);
    assertThat(f.step(run, "ask").output())
        .containsEntry("decision", "rejected")
        .containsEntry("by", "slack:UAPPROVER");
    assertThat(firstResponse("posted").getString("text"))
        .startsWith(run + " rejected by <@UAPPROVER>");
  }

  Optional<FakeSlack.Call> approvalRequest() {
    return slack.slack.calls().stream()
        .filter(
            c ->
                c.method().equals("chat.postMessage")
                    && c.status() == 200
                    && c.param("text") != null
                    && c.param("text").startsWith("Approval needed"))
        .findFirst();
  }

  @Test
  void aTypedRejectFailsTheRunAndOthersAreRefused() {
    RunId run = waitingRun();
    s.command("USOMEONE", "reject " + run, slack.url("/response/no"), null);
    assertThat(firstResponse("no").getString("text"))
        .startsWith("<@USOMEONE> may not approve from Slack");
    assertThat(f.step(run, "ask").status()).isEqualTo(StepStatus.WAITING);

    s.command("UAPPROVER", "reject " + run, slack.url("/response/yes"), null);
    f.awaitStatus(run, RunStatus.FAILED);
    assertThat(firstResponse("yes").getString("text"))
        .startsWith(run + " rejected by <@UAPPROVER>");
    s.command("UAPPROVER", "approve " + run, slack.url("/response/again"), null);
    assertThat(firstResponse("again").getString("text"))
        .isEqualTo("run " + run + " is failed and waits for no approval");
  }

  @Test
  void anApprovalStepThatNamesItsApproversAdmitsOnlyThem() {
    String inc = f.fire("{\"alertname\": \"Strict\", \"instance\": \"host-1\"}");
    RunId run = f.runOf(inc);
    f.awaitStep(run, "confirm", StepStatus.WAITING);
    s.command(
        "UAPPROVER",
        "approve " + run,
        slack.url("/response/no"),
        null); // allowed to approve in general, not this step
    assertThat(firstResponse("no").getString("text"))
        .isEqualTo(
            "<@UAPPROVER> may not approve from Slack: step confirm of "
                + run
                + " (its approvers) lets only the listed users and members of <!subteam^S0SRE> do it. Ask a lead to add you.");
    assertThat(f.step(run, "confirm").status()).isEqualTo(StepStatus.WAITING);
    s.command(
        "USRE", "approve " + run, slack.url("/response/yes"), null); // a member of a listed group
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(f.step(run, "confirm").output()).containsEntry("by", "slack:USRE");
  }

  @Test
  void anApprovalStepThatNamesNoApproversIsDecidedByTheTeamOnCallNow() throws Exception {
    // eu is on call at 06:00 UTC; its Slack user group decides approvals that name nobody
    Path teams = dir.resolve("config/teams.yaml");
    Files.writeString(
        teams,
        Files.readString(teams)
            .replace(
                "slack: { channel: \"#ops-eu\" }",
                "slack: { channel: \"#ops-eu\", userGroup: S0EU }"));
    assertThat(f.d.post("/-/reload", "").statusCode()).isEqualTo(200);
    slack.groups.put("S0EU", Set.of("USRE"));
    RunId run = waitingRun();
    s.command(
        "UAPPROVER",
        "approve " + run,
        slack.url("/response/no"),
        null); // chatops.allow.approve admits them, eu does not
    assertThat(firstResponse("no").getString("text"))
        .isEqualTo(
            "<@UAPPROVER> may not approve from Slack: step ask of "
                + run
                + " (the team on call now: eu) lets only the listed users and members of <!subteam^S0EU> do it. Ask a lead to add you.");
    assertThat(f.step(run, "ask").status()).isEqualTo(StepStatus.WAITING);
    s.command("USRE", "approve " + run, slack.url("/response/yes"), null);
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(f.step(run, "ask").output()).containsEntry("by", "slack:USRE");
  }

  @Test
  void runStartsARunbookByHandAsTheSlackUser() {
    RunId first = waitingRun();
    String incident = f.run(first).incident().toString();
    s.command("U1", "run appr " + incident, slack.url("/response/run"), null);
    String text = firstResponse("run").getString("text");
    assertThat(text)
        .matches(
            "<@U1> started RUN-\\d+ of runbook appr for "
                + incident
                + " \\((pending|running|waiting)\\)\\.");
    RunId second = RunId.parse(text.replaceAll(".* started (RUN-\\d+) .*", "$1")).orElseThrow();
    assertThat(f.run(second).startedBy()).isEqualTo("slack:U1");
  }
}
