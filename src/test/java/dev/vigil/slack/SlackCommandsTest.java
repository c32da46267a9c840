package dev.vigil.slack;

import static dev.vigil.TestDaemon.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.fake.FakeSlack;
import dev.vigil.slack.fake.ChatOpsSlack;
import dev.vigil.timer.FakeClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /slack/commands} and {@code /slack/interactions} through a real daemon on loopback
 * (shipped teams and classification, SQLite, a fake clock at Monday 06:00Z: eu on call, india
 * next), signed as Slack signs, with a fake Slack that receives response_url posts and answers
 * user-group lookups.
 */
class SlackCommandsTest {
  static final String SECRET = "test-signing-secret";
  static final String HOOK = "/api/v1/alerts/alertmanager";
  static final Instant MONDAY_0600 = Instant.parse("2026-11-30T06:00:00Z");

  @TempDir Path dir;
  final FakeClock clock = new FakeClock(MONDAY_0600);
  ChatOpsSlack slack;
  TestDaemon d;
  SignedSlack s;

  @BeforeEach
  void start() throws Exception {
    TestDaemon.copyShippedRouting(dir);
    slack = new ChatOpsSlack("xoxb-test");
    slack.groups.put("S0LEADS", Set.of("ULEAD2"));
    slack.groups.put("S0ONCALL", Set.of("UONCALL"));
    config =
        """
        slack:
          botToken: xoxb-test
          signingSecret: %s
          apiUrl: %s
        chatops:
          allow:
            resolve: [ULEAD, S0LEADS]
            override: [S0LEADS]
            run: [S0ONCALL]
            approve: [S0ONCALL]
        """
            .formatted(SECRET, slack.apiUrl());
    d = TestDaemon.start(dir, config, Map.of(), clock);
    s = new SignedSlack(d.url(""), SECRET, clock);
  }

  String config;

  @AfterEach
  void stop() {
    if (d != null) {
      d.close();
    }
    slack.close();
  }

  /** Runs a command and checks Slack's three-second rule; returns the JSON reply. */
  JsonObject command(String user, String text, String responseId) {
    long[] ms = new long[1];
    HttpResponse<String> r = s.command(user, text, slack.url("/response/" + responseId), ms);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(ms[0]).as("answered within Slack's 3 s").isLessThan(3000);
    return new JsonObject(r.body());
  }

  JsonObject incident(String id) {
    return new JsonObject(d.get("/api/v1/incidents/" + id).body());
  }

  List<String> timeline(String id) {
    return incident(id).getJsonArray("timeline").stream()
        .map(e -> (JsonObject) e)
        .map(e -> e.getString("kind") + " by " + e.getString("by") + ": " + e.getString("text"))
        .toList();
  }

  /**
   * INC-1, critical, team eu; returns once escalation has paged level 1 (it reacts to the commit
   * after the 202).
   */
  void anIncident() {
    assertThat(d.post(HOOK, resource("webhooks/webhook-v4-1alert.json")).statusCode())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> timeline("INC-1").stream().anyMatch(l -> l.startsWith("escalated")));
  }

  // ---------------------------------------------------------------- verification

  @Test
  void unsignedTamperedStaleFutureAndForeignRequestsAre401WithoutDetailAndCounted() {
    anIncident();
    String body =
        SignedSlack.form(SignedSlack.command("U1", "ack INC-1", slack.url("/response/x")));
    long now = clock.instant().getEpochSecond();
    String ts = Long.toString(now);
    String good = RequestVerifier.sign(SECRET, ts, body.getBytes(StandardCharsets.UTF_8));
    Map<String, HttpResponse<String>> refused = new LinkedHashMap<>();
    refused.put("tampered", s.post("/slack/commands", body.replace("INC-1", "INC-2"), ts, good));
    refused.put(
        "wrong secret",
        s.post(
            "/slack/commands",
            body,
            ts,
            RequestVerifier.sign("not-the-secret", ts, body.getBytes(StandardCharsets.UTF_8))));
    String stale = Long.toString(now - 360);
    refused.put(
        "stale",
        s.post(
            "/slack/commands",
            body,
            stale,
            RequestVerifier.sign(SECRET, stale, body.getBytes(StandardCharsets.UTF_8))));
    String future = Long.toString(now + 360);
    refused.put(
        "future",
        s.post(
            "/slack/commands",
            body,
            future,
            RequestVerifier.sign(SECRET, future, body.getBytes(StandardCharsets.UTF_8))));
    refused.put("no signature", s.post("/slack/commands", body, ts, null));
    refused.put("no timestamp", s.post("/slack/commands", body, null, good));
    refused.put("no headers", s.post("/slack/commands", body, null, null));
    refused.put("interaction, tampered", s.post("/slack/interactions", "payload=%7B%7D", ts, good));
    refused.forEach(
        (why, r) -> {
          assertThat(r.statusCode()).as(why).isEqualTo(401);
          assertThat(r.body()).as(why).isEqualTo("{\"error\":\"unauthorized\"}");
        });
    assertThat(incident("INC-1").getString("status")).isEqualTo("triggered");

    String metrics = d.get("/metrics").body();
    assertThat(metrics)
        .contains(
            "vigil_slack_requests_rejected_total{reason=\"bad_signature\"} 3.0",
            "vigil_slack_requests_rejected_total{reason=\"stale\"} 1.0",
            "vigil_slack_requests_rejected_total{reason=\"future\"} 1.0",
            "vigil_slack_requests_rejected_total{reason=\"missing_header\"} 3.0");

    assertThat(s.post("/slack/commands", body, ts, good).statusCode())
        .isEqualTo(200); // the same request, untouched, is taken
    assertThat(incident("INC-1").getString("status")).isEqualTo("acknowledged");
    assertThat(s.post("/slack/commands", body, ts, good).statusCode()).isEqualTo(401); // once
    assertThat(d.get("/metrics").body())
        .contains("vigil_slack_requests_rejected_total{reason=\"replayed\"} 1.0");
  }

  /**
   * The replay memory is in the store: a request accepted before a restart (same SQLite file) is
   * refused after it.
   */
  @Test
  void aRequestReplayedAfterARestartIsRefused() {
    anIncident();
    String body =
        SignedSlack.form(SignedSlack.command("U1", "override eu 2h", slack.url("/response/o")));
    String ts = Long.toString(clock.instant().getEpochSecond());
    String signature = RequestVerifier.sign(SECRET, ts, body.getBytes(StandardCharsets.UTF_8));
    slack.groups.put("S0LEADS", Set.of("U1"));
    assertThat(s.post("/slack/commands", body, ts, signature).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(30));
    d.close();
    d = TestDaemon.start(dir, config, Map.of(), clock);
    s = new SignedSlack(d.url(""), SECRET, clock);
    HttpResponse<String> replayed = s.post("/slack/commands", body, ts, signature);
    assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(401);
    assertThat(d.get("/metrics").body())
        .contains("vigil_slack_requests_rejected_total{reason=\"replayed\"} 1.0");
    assertThat(new JsonObject(d.get("/api/v1/overrides").body()).getJsonArray("overrides"))
        .hasSize(1); // the replay made no second override
  }

  @Test
  void readinessSaysChatOpsIsOn() {
    JsonObject ready = new JsonObject(d.get("/readyz").body());
    assertThat(ready.getJsonObject("integrations").getString("chatops"))
        .isEqualTo("on: /slack/commands and /slack/interactions");
  }

  @Test
  void aBodyOverTheLimitIs413() {
    String body = "text=" + "a".repeat((int) SlackApi.BODY_LIMIT);
    assertThat(s.signed("/slack/commands", body).statusCode()).isEqualTo(413);
  }

  // ---------------------------------------------------------------- commands

  @Test
  void helpAndUsageErrorsAreShownOnlyToTheCaller() {
    JsonObject help = command("U1", "help", "h");
    assertThat(help.getString("response_type")).isEqualTo("ephemeral");
    assertThat(help.getString("text"))
        .contains("`/vigil snooze ID DURATION`", "`/vigil override TEAM DURATION`");
    JsonObject bad = command("U1", "snooze INC-1", "b");
    assertThat(bad)
        .isEqualTo(
            new JsonObject()
                .put("response_type", "ephemeral")
                .put(
                    "text",
                    "`/vigil snooze` is missing an argument. Usage: `/vigil snooze ID DURATION`"));
    assertThat(command("U1", "ack INC-77", "c").getString("text"))
        .isEqualTo("incident INC-77 does not exist");
  }

  @Test
  void listAndShow() {
    assertThat(command("U1", "list", "l0").getString("text")).isEqualTo("No open incidents.");
    anIncident();
    clock.advance(Duration.ofMinutes(12));
    JsonObject list = command("U1", "list", "l1");
    assertThat(list.getString("response_type")).isEqualTo("ephemeral");
    assertThat(list.getString("text"))
        .startsWith("*Open incidents* (1)\n• *INC-1* critical · triggered · eu · ")
        .endsWith("(opened 12m ago)");
    JsonObject show = command("U1", "show INC-1", "s1");
    assertThat(show.getString("text"))
        .startsWith("*INC-1: ")
        .contains("critical · triggered · team eu", "*Latest timeline*", "escalated (escalation)");
  }

  /**
   * An alert's summary holding Slack markup reaches every Slack text as text: the ack reply, list,
   * show and the incident message's top-level text say {@code &lt;!channel&gt;}, never a mention or
   * a link.
   */
  @Test
  void alertTextCannotMentionOrLinkInSlack() {
    String evil = "<!channel> <https://evil.example|click> & co";
    String escaped = "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co";
    String hook =
        resource("webhooks/webhook-v4-1alert.json")
            .replace("HostHighCpuLoad on host-0001.example.internal:9100", evil);
    assertThat(d.post(HOOK, hook).statusCode()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> timeline("INC-1").stream().anyMatch(l -> l.startsWith("escalated")));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              if (slack.slack.messages("#ops-eu").isEmpty()) {
                clock.advance(
                    Duration.ofSeconds(
                        30)); // a try that failed under load is retried at a later (fake) time
                return false;
              }
              return true;
            });
    List<String> texts =
        List.of(
            command("U1", "list", "l").getString("text"),
            command("U1", "show INC-1", "s").getString("text"),
            command("U1", "ack INC-1", "a").getString("text"),
            slack.slack.messages("#ops-eu").get(0).text());
    assertThat(texts)
        .allSatisfy(
            t ->
                assertThat(t)
                    .contains(escaped)
                    .doesNotContain("<!channel>")
                    .doesNotContain("<https://evil"));
    assertThat(texts.get(2))
        .startsWith("INC-1 acknowledged by <@U1>: "); // Vigil's own mention stays one
  }

  @Test
  void ackIsRecordedAsTheSlackUserAndStopsEscalation() {
    anIncident();
    JsonObject r = command("U1", "ack INC-1", "a");
    assertThat(r.getString("response_type")).isEqualTo("in_channel");
    assertThat(r.getString("text")).startsWith("INC-1 acknowledged by <@U1>: escalation stops.");
    JsonObject inc = incident("INC-1");
    assertThat(inc.getString("status")).isEqualTo("acknowledged");
    assertThat(timeline("INC-1")).contains("acknowledged by slack:U1: acknowledged");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> timeline("INC-1").stream().anyMatch(l -> l.startsWith("escalation-stopped")));
    assertThat(command("U1", "ack INC-1", "a2").getString("response_type"))
        .isEqualTo("ephemeral"); // already acknowledged: says so
  }

  @Test
  void resolveWithANoteByAnAllowedUserAndByAGroupMember() {
    anIncident();
    JsonObject r = command("ULEAD", "resolve INC-1 disk cleaned", "r");
    assertThat(r.getString("text")).startsWith("INC-1 resolved by <@ULEAD>: disk cleaned.");
    assertThat(timeline("INC-1")).contains("resolved by slack:ULEAD: resolved: disk cleaned");

    assertThat(d.post(HOOK, resource("webhooks/webhook-v4-10alerts.json")).statusCode())
        .isEqualTo(202);
    String id =
        new JsonObject(d.get("/api/v1/incidents?status=triggered").body())
            .getJsonArray("incidents")
            .getJsonObject(0)
            .getString("id");
    assertThat(command("ULEAD2", "resolve " + id, "r2").getString("text"))
        .startsWith(id + " resolved by <@ULEAD2>");
    assertThat(slack.groupLookups).contains("S0LEADS");
  }

  @Test
  void restrictedCommandsAreRefusedWithTheReasonAndChangeNothing() {
    anIncident();
    JsonObject r = command("U1", "resolve INC-1 meh", "p1");
    assertThat(r)
        .isEqualTo(
            new JsonObject()
                .put("response_type", "ephemeral")
                .put(
                    "text",
                    "<@U1> may not resolve from Slack: chatops.allow.resolve lets only the listed users and members of <!subteam^S0LEADS> do it."
                        + " Ask a lead to add you."));
    assertThat(incident("INC-1").getString("status")).isEqualTo("triggered");

    assertThat(command("U1", "override india 2h", "p2").getString("text"))
        .startsWith("<@U1> may not override from Slack");
    assertThat(new JsonObject(d.get("/api/v1/oncall").body()).getJsonArray("active"))
        .containsExactly("eu");

    assertThat(command("ULEAD", "override india 2h", "p3").getString("text"))
        .startsWith("<@ULEAD> may not override"); // ULEAD may only resolve

    // run and approve answer "working on it" at once; the refusal follows on the response_url
    assertThat(command("U1", "run disk-almost-full INC-1", "p4").getString("text"))
        .isEqualTo("Working on `/vigil run`…");
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses("p4").isEmpty());
    assertThat(slack.responses("p4").get(0).getString("text"))
        .startsWith("<@U1> may not run from Slack");
    command("U1", "approve RUN-1", "p5");
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses("p5").isEmpty());
    assertThat(slack.responses("p5").get(0).getString("text"))
        .startsWith("<@U1> may not approve from Slack");

    // a member of the allowed group passes the gate, and the engine says what it thinks (this
    // daemon has no runbooks)
    command("UONCALL", "run disk-almost-full INC-1", "p6");
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses("p6").isEmpty());
    assertThat(slack.responses("p6").get(0))
        .isEqualTo(
            new JsonObject()
                .put("response_type", "ephemeral")
                .put("text", "runbook disk-almost-full does not exist"));
  }

  @Test
  void aGroupWhoseMembershipCannotBeLearnedLetsNobodyIn() {
    anIncident();
    slack.failGroups = true;
    assertThat(command("U1", "resolve INC-1", "g").getString("text"))
        .isEqualTo(
            "<@U1> may not resolve from Slack: chatops.allow.resolve"
                + " lets only the listed users and members of <!subteam^S0LEADS> do it. Ask a lead to add you; membership of S0LEADS"
                + " (Slack said missing_scope) could not be checked.");
    assertThat(incident("INC-1").getString("status")).isEqualTo("triggered");
  }

  @Test
  void overrideByALeadPutsTheTeamOnCall() {
    JsonObject r = command("ULEAD2", "override india 2h", "o");
    assertThat(r.getString("response_type")).isEqualTo("in_channel");
    assertThat(r.getString("text"))
        .startsWith(
            "<@ULEAD2> put india on call until Mon 08:00 UTC (Asia/Kolkata Mon 13:30 for india), for 2h.");
    JsonObject oncall = new JsonObject(d.get("/api/v1/oncall").body());
    assertThat(oncall.getJsonArray("active")).containsExactly("india");
    assertThat(oncall.getJsonObject("override").getString("by")).isEqualTo("slack:ULEAD2");
    assertThat(command("ULEAD2", "override mars 2h", "o2").getString("text"))
        .isEqualTo("unknown team \"mars\"; teams are us, eu, india, ph");
  }

  @Test
  void oncallShowsWhoIsOnCallTheNextHandoffAndLocalTimes() {
    assertThat(command("U1", "oncall", "w").getString("text"))
        .isEqualTo(
            """
        *On call now* (Mon 06:00 UTC): *eu* (Europe/Berlin Mon 07:00)
        *Next handoff*: *india* at Mon 13:00 UTC (Asia/Kolkata Mon 18:30), in 7h
        Local times: us America/New_York Mon 01:00 · eu Europe/Berlin Mon 07:00 · india Asia/Kolkata Mon 11:30 · ph Asia/Manila Mon 14:00""");
    assertThat(command("U1", "oncall 2026-11-29T02:00:00Z", "w2").getString("text"))
        .startsWith(
            "*On call at* Sun 02:00 UTC: *us* (America/New_York Sat 21:00)\n*Next handoff*: *eu* at Sun 05:00 UTC");
  }

  @Test
  void escalateAnswersAtOnceAndPostsTheResultToTheResponseUrl() {
    anIncident();
    JsonObject r = command("U1", "escalate INC-1", "e");
    assertThat(r)
        .isEqualTo(
            new JsonObject()
                .put("response_type", "ephemeral")
                .put("text", "Working on `/vigil escalate`…"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses("e").isEmpty());
    assertThat(slack.responses("e"))
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.getString("response_type")).isEqualTo("in_channel");
              assertThat(j.getString("text"))
                  .isEqualTo(
                      "INC-1 escalated by <@U1>: now at level 2 of policy default; the next level follows at"
                          + " Mon 06:10 UTC unless acknowledged.");
            });
    assertThat(timeline("INC-1")).contains("escalation-manual by slack:U1: escalated by hand");
  }

  @Test
  void snoozeHoldsEscalationAndSaysUntilWhen() {
    anIncident();
    JsonObject r = command("U1", "snooze INC-1 30m", "z");
    assertThat(r.getString("text"))
        .isEqualTo(
            "Escalation of INC-1 snoozed by <@U1> for 30m, until Mon 06:30 UTC. A new alert in the"
                + " incident ends the snooze; acknowledge to stop escalation.");
    assertThat(timeline("INC-1"))
        .contains(
            "escalation-snoozed by slack:U1: escalation snoozed until 2026-11-30T06:30:00Z; a new alert ends the snooze");
  }

  // ---------------------------------------------------------------- buttons

  static String click(String user, String actionId, String value, String responseUrl) {
    JsonObject payload =
        new JsonObject()
            .put("type", "block_actions")
            .put("user", new JsonObject().put("id", user).put("username", "someone"))
            .put("team", new JsonObject().put("id", "T1"))
            .put("channel", new JsonObject().put("id", "C1").put("name", "ops-eu"))
            .put(
                "container",
                new JsonObject()
                    .put("type", "message")
                    .put("message_ts", "1764482400.000100")
                    .put("channel_id", "C1"))
            .put(
                "message",
                new JsonObject()
                    .put("ts", "1764482400.000100")
                    .put("text", "INC-1: padding " + "x".repeat(9000)))
            .put("response_url", responseUrl)
            .put(
                "actions",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("type", "button")
                            .put("action_id", actionId)
                            .put("value", value)
                            .put("block_id", "b1")
                            .put("action_ts", "1764482401.1")));
    return SignedSlack.form(Map.of("payload", payload.encode()));
  }

  @Test
  void theAcknowledgeButtonAcknowledgesAndUpdatesTheMessageInPlace() {
    anIncident();
    // the action id of the incident messages the Slack integration posts
    HttpResponse<String> r =
        s.signed(
            "/slack/interactions",
            click("U7", "vigil.incident.acknowledge", "INC-1", slack.url("/response/btn")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses("btn").isEmpty());
    JsonObject update = slack.responses("btn").get(0);
    assertThat(update.getBoolean("replace_original")).isTrue();
    assertThat(update.getString("text")).endsWith("[critical, acknowledged]");
    String blocks = update.getJsonArray("blocks").encode();
    assertThat(blocks)
        .contains("*Acknowledged by* <@U7>", "\"action_id\":\"vigil.incident.resolve\"")
        .doesNotContain("\"action_id\":\"vigil.incident.acknowledge\"");
    assertThat(incident("INC-1").getString("status")).isEqualTo("acknowledged");
    assertThat(timeline("INC-1")).contains("acknowledged by slack:U7: acknowledged");
  }

  /** The incident's message in #ops-eu, once the outbox has posted it. */
  FakeSlack.Message postedIncidentMessage() {
    // the page reaches Slack through the outbox; a try that failed under load is retried at a later
    // (fake) time
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              if (slack.slack.messages("#ops-eu").isEmpty()) {
                clock.advance(Duration.ofSeconds(30));
                return false;
              }
              return true;
            });
    return slack.slack.messages("#ops-eu").get(0);
  }

  /** U7 clicks Acknowledge on INC-1's message {@code ts} in {@code channelId}. */
  HttpResponse<String> acknowledgeClickOn(String channelId, String ts, String responsePath) {
    String click =
        click("U7", "vigil.incident.acknowledge", "INC-1", slack.url("/response/" + responsePath))
            .replace("1764482400.000100", ts)
            .replace("%22C1%22", "%22" + channelId + "%22");
    return s.signed("/slack/interactions", click);
  }

  @Test
  void aClickOnTheIncidentMessageVigilPostedUpdatesThatMessageWithChatUpdate() {
    anIncident();
    FakeSlack.Message posted = postedIncidentMessage();
    assertThat(acknowledgeClickOn(posted.channelId, posted.ts, "posted").statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                posted.updates() >= 1
                    && FakeSlack.blockText(posted).toLowerCase().contains("acknowledged"));
    assertThat(incident("INC-1").getString("status")).isEqualTo("acknowledged");
    assertThat(slack.responses("posted"))
        .isEmpty(); // updated through chat.update, not replaced through the response_url
  }

  @Test
  void aClickOnAMessageOfAnotherChannelWithTheSameTsIsAnsweredThroughItsResponseUrl() {
    anIncident();
    FakeSlack.Message posted = postedIncidentMessage();
    // a ts is unique only within its channel: this is another message than the one Vigil stored
    assertThat(acknowledgeClickOn("C0THER", posted.ts, "other").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses("other").isEmpty());
    assertThat(slack.responses("other").get(0).getBoolean("replace_original")).isTrue();
    assertThat(slack.responses("other").get(0).getString("text"))
        .endsWith("[critical, acknowledged]");
    assertThat(incident("INC-1").getString("status")).isEqualTo("acknowledged");
  }

  @Test
  void theResolveButtonIsRefusedToOthersWithoutTouchingTheMessage() {
    anIncident();
    s.signed("/slack/interactions", click("U7", "resolve", "INC-1", slack.url("/response/no")));
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses("no").isEmpty());
    JsonObject told = slack.responses("no").get(0);
    assertThat(told.getString("response_type")).isEqualTo("ephemeral");
    assertThat(told.getBoolean("replace_original")).isFalse();
    assertThat(told.getString("text")).startsWith("<@U7> may not resolve from Slack");
    assertThat(incident("INC-1").getString("status")).isEqualTo("triggered");

    s.signed("/slack/interactions", click("ULEAD", "resolve", "INC-1", slack.url("/response/yes")));
    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.responses("yes").isEmpty());
    assertThat(slack.responses("yes").get(0).getString("text")).endsWith("[critical, resolved]");
    assertThat(slack.responses("yes").get(0).getJsonArray("blocks").encode())
        .doesNotContain("\"type\":\"actions\"");
    assertThat(incident("INC-1").getString("status")).isEqualTo("resolved");
  }
}
