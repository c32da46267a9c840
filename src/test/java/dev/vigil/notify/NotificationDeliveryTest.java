package dev.vigil.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.TestDaemon;
import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.FakeSlack;
import dev.vigil.fake.NotifyConfig;
import dev.vigil.incident.IncidentId;
import dev.vigil.timer.FakeScheduler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications through a real daemon (in this JVM, real SQLite, port 0) to the fake PagerDuty and
 * Slack on loopback: what a responder would see on each side.
 */
class NotificationDeliveryTest {
  static final String TOKEN = "xoxb-test-token";
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  static String retry(String initial, String max, int attempts) {
    return "notify:\n  retry: {maxAttempts: "
        + attempts
        + ", initialDelay: "
        + initial
        + ", maxDelay: "
        + max
        + "}\n";
  }

  TestDaemon start(FakePagerDuty pd, FakeSlack slack, String team, String notify) throws Exception {
    String vigil =
        "pagerduty: {eventsUrl: \""
            + (pd == null ? "http://127.0.0.1:9/v2/enqueue" : pd.url())
            + "\"}\n"
            + (slack == null
                ? ""
                : "slack: {botToken: \""
                    + TOKEN
                    + "\", apiUrl: \""
                    + slack.apiUrl()
                    + "\", opsChannel: \"#vigil-ops\"}\n")
            + "server: {host: 127.0.0.1, port: 0, publicUrl: \"https://vigil.example/\"}\n"
            + notify;
    NotifyConfig.write(dir, team, vigil);
    return TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC());
  }

  static String fire(TestDaemon d, String alertname) {
    var r = d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook(alertname));
    assertThat(r.statusCode()).isEqualTo(202);
    return new JsonObject(r.body()).getJsonArray("incidents").getString(0);
  }

  static List<String> timeline(TestDaemon d, String id) {
    JsonArray t = new JsonObject(d.get("/api/v1/incidents/" + id).body()).getJsonArray("timeline");
    return t.stream()
        .map(o -> (JsonObject) o)
        .map(o -> o.getString("kind") + ": " + o.getString("text"))
        .toList();
  }

  @Test
  void
      aCriticalIncidentIsTriggeredOnceThroughFailuresThenAcknowledgedAndResolvedWithTheSameDedupKey()
          throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty().failFirst(2).failRate(0.3).latency(150)) {
      try (TestDaemon d =
          start(
              pd,
              null,
              NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY),
              retry("20ms", "200ms", 30)
                  + "  breaker: {maxFailures: 50, timeout: 5s, resetTimeout: 100ms}\n")) {
        String id = fire(d, "CheckoutDown");
        await().atMost(WAIT).until(() -> pd.accepted(id, "trigger") == 1);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(
                            l -> l.startsWith("notified: paged team eu (level 1) via pagerduty")));

        assertThat(
                d.post("/api/v1/incidents/" + id + "/acknowledge", "{\"by\": \"alice\"}")
                    .statusCode())
            .isEqualTo(200);
        await().atMost(WAIT).until(() -> pd.accepted(id, "acknowledge") == 1);
        assertThat(
                d.post("/api/v1/incidents/" + id + "/resolve", "{\"by\": \"alice\"}").statusCode())
            .isEqualTo(200);
        await().atMost(WAIT).until(() -> pd.accepted(id, "resolve") == 1);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(l -> l.startsWith("notified: sent resolved to pagerduty")));

        // once everything is settled, nothing is pending that could send again
        FakeScheduler.await(d.daemon.integrations().drain());
        assertThat(pd.accepted(id, "trigger")).as("accepted triggers").isEqualTo(1);
        assertThat(pd.accepted(id, "acknowledge")).isEqualTo(1);
        assertThat(pd.accepted(id, "resolve")).isEqualTo(1);
        assertThat(pd.injectedFailures())
            .as("the fake did fail some requests")
            .isGreaterThanOrEqualTo(2);
        List<String> order =
            pd.acceptedEvents().stream().map(e -> e.getString("event_action")).toList();
        assertThat(order).containsExactly("trigger", "acknowledge", "resolve");

        JsonObject trigger = pd.acceptedEvents().get(0);
        assertThat(trigger.getString("routing_key")).isEqualTo(NotifyConfig.ROUTING_KEY);
        assertThat(trigger.getJsonObject("payload").getString("severity")).isEqualTo("critical");
        assertThat(trigger.getJsonObject("payload").getString("source"))
            .as("from the service label")
            .isEqualTo("checkout");
        assertThat(trigger.getJsonObject("payload").getString("component")).isEqualTo("checkout");
        assertThat(
                trigger
                    .getJsonObject("payload")
                    .getJsonObject("custom_details")
                    .getJsonObject("annotations")
                    .getString("summary"))
            .isEqualTo("checkout is down");
        assertThat(
                trigger.getJsonArray("links").stream()
                    .map(l -> ((JsonObject) l).getString("href"))
                    .toList())
            .containsExactly(
                "https://vigil.example/ui/incidents/" + id,
                "http://prometheus.example/graph?g0.expr=up");
        assertThat(trigger.getString("client_url"))
            .as("the incident's page in the console")
            .isEqualTo("https://vigil.example/ui/incidents/" + id);
        assertThat(d.get("/metrics").body())
            .contains("vigil_notifications_total{integration=\"pagerduty\",outcome=\"delivered\"}");
      }
    }
  }

  @Test
  void aRefusedEventIsNotRetriedAndTheTimelineSaysWhy() throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty()) {
      // 31 characters: PagerDuty refuses the event with 400
      try (TestDaemon d =
          start(
              pd,
              null,
              NotifyConfig.pagerDuty("0123456789abcdef0123456789abcde"),
              retry("20ms", "100ms", 10))) {
        String id = fire(d, "BadKey");
        await()
            .atMost(WAIT)
            .until(() -> timeline(d, id).stream().anyMatch(l -> l.startsWith("notify-failed:")));
        FakeScheduler.await(d.daemon.integrations().drain());
        assertThat(pd.requests()).as("a 400 is not retried").isEqualTo(1);
        assertThat(timeline(d, id))
            .anySatisfy(
                l ->
                    assertThat(l)
                        .contains("pagerduty: trigger " + id + " rejected (HTTP 400)")
                        .contains("routing_key")
                        .contains("not retried"));
        assertThat(d.get("/metrics").body())
            .contains(
                "vigil_notifications_total{integration=\"pagerduty\",outcome=\"failed\"} 1.0");
      }
    }
  }

  @Test
  void whilePagerDutyIsDownThePageGoesToSlackAsAFallbackAndTheCircuitClosesAfterRecovery()
      throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty().down(true);
        FakeSlack slack = new FakeSlack(TOKEN)) {
      String team =
          NotifyConfig.slack("#ops-eu") + "\n" + NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY);
      try (TestDaemon d =
          start(
              pd,
              slack,
              team,
              retry("50ms", "300ms", 100)
                  + "  breaker: {maxFailures: 2, timeout: 2s, resetTimeout: 1s, failuresWindow: 60s}\n")) {
        String id = fire(d, "PdOutage");
        await().atMost(WAIT).until(() -> slack.messages("#vigil-ops").size() == 1);
        assertThat(slack.messages("#vigil-ops").get(0).text()).contains("fallback").contains(id);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    !slack.messages("#ops-eu").isEmpty()
                        && FakeSlack.blockText(slack.messages("#ops-eu").get(0))
                            .contains("Fallback"));
        assertThat(slack.messages("#ops-eu")).as("one message per incident per channel").hasSize(1);
        assertThat(
                new JsonObject(d.get("/readyz").body())
                    .getJsonObject("integrations")
                    .getString("pagerduty"))
            .isIn("on, circuit open", "on, circuit half-open");
        assertThat(d.get("/metrics").body())
            .containsPattern("vigil_circuit_state\\{integration=\"pagerduty\"\\} [12]\\.0");
        // the outcome is recorded after the Slack post answered
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(timeline(d, id))
                        .anySatisfy(
                            l ->
                                assertThat(l)
                                    .startsWith("notify-fallback:")
                                    .contains("#vigil-ops")));
        assertThat(pd.accepted(id, "trigger")).isZero();

        pd.down(false);
        await().atMost(WAIT).until(() -> pd.accepted(id, "trigger") == 1);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    new JsonObject(d.get("/readyz").body())
                        .getJsonObject("integrations")
                        .getString("pagerduty")
                        .equals("on, circuit closed"));
        assertThat(d.get("/metrics").body())
            .contains("vigil_circuit_state{integration=\"pagerduty\"} 0.0");
        assertThat(slack.messages("#vigil-ops")).hasSize(1);
      }
    }
  }

  @Test
  void whileSlackIsDownPagesStillReachPagerDutyAndSlackCatchesUpAfterwards() throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty();
        FakeSlack slack = new FakeSlack(TOKEN).down(true)) {
      String team =
          NotifyConfig.slack("#ops-eu") + "\n" + NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY);
      try (TestDaemon d =
          start(
              pd,
              slack,
              team,
              retry("50ms", "300ms", 50) + "  breaker: {maxFailures: 2, resetTimeout: 300ms}\n")) {
        String id = fire(d, "SlackOutage");
        await().atMost(WAIT).until(() -> pd.accepted(id, "trigger") == 1);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(
                            l -> l.startsWith("notified: paged team eu (level 1) via pagerduty")));
        assertThat(slack.messages("#ops-eu")).isEmpty();

        slack.down(false);
        await().atMost(WAIT).until(() -> slack.messages("#ops-eu").size() == 1);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(
                            l ->
                                l.startsWith(
                                    "notified: paged team eu (level 1) via slack #ops-eu")));
        assertThat(pd.accepted(id, "trigger")).as("Slack's retries do not page again").isEqualTo(1);
        assertThat(slack.messages("#ops-eu").get(0).text()).contains(id).doesNotContain("fallback");
        assertThat(FakeSlack.blockText(slack.messages("#ops-eu").get(0)))
            .as("the message links to the incident's page in the console")
            .contains("<https://vigil.example/ui/incidents/" + id + "|Open " + id + " in Vigil>");
      }
    }
  }

  @Test
  void withNoIntegrationTheLogIsTheSinkAndReadyzSaysSo() throws Exception {
    // the team names a Slack channel, but there is no bot token and no routing key anywhere
    try (TestDaemon d = start(null, null, NotifyConfig.slack("#ops-eu"), "")) {
      JsonObject integrations =
          new JsonObject(d.get("/readyz").body()).getJsonObject("integrations");
      assertThat(integrations.getString("pagerduty"))
          .startsWith("off: no team has a pagerduty.routingKey")
          .endsWith("notifications go to the log and the incident timeline");
      assertThat(integrations.getString("slack")).isEqualTo("off: no slack.botToken configured");
      String id = fire(d, "NobodyToCall");
      await()
          .atMost(WAIT)
          .until(
              () ->
                  timeline(d, id).stream()
                      .anyMatch(
                          l -> l.startsWith("notified: paged team eu (level 1) via the log")));
    }
  }

  @Test
  void aBurstOfUpdatesIsPacedAndCoalescedIntoOneMessageUpdatedInPlace() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN).minInterval(900, 1)) {
      try (TestDaemon d =
          start(null, slack, NotifyConfig.slack("#ops-eu"), retry("50ms", "300ms", 10))) {
        String id = fire(d, "Burst");
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(
                            l -> l.startsWith("notified: paged team eu (level 1) via slack")));
        SlackMessagesBurst.burst(d, id, 20);
        List<FakeSlack.Call> calls = slack.calls("chat.update", "#ops-eu");
        assertThat(slack.messages("#ops-eu")).as("one message, updated in place").hasSize(1);
        assertThat(calls).as("20 updates coalesce into a few paced calls").hasSizeBetween(1, 4);
        assertThat(slack.rateLimited())
            .as(
                "no 429 storm: %s",
                slack.calls().stream()
                    .map(c -> c.method() + " " + c.status() + " @" + c.atMillis())
                    .toList())
            .isZero();
        List<FakeSlack.Call> all =
            slack.calls().stream().filter(c -> c.method().startsWith("chat.")).toList();
        for (int i = 1; i < all.size(); i++) {
          assertThat(all.get(i).atMillis() - all.get(i - 1).atMillis())
              .as("calls to one channel are paced")
              .isGreaterThanOrEqualTo(900);
        }
        await()
            .atMost(WAIT)
            .until(() -> slack.messages("#ops-eu").get(0).text().contains("acknowledged"));
      }
    }
  }

  @Test
  void theSlackMessageFollowsTheIncidentAsAlertsJoinAndItsRunbookRuns() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      // a runbook that ends (after the page is posted, normally) and leaves the incident open
      Files.createDirectories(dir.resolve("runbooks"));
      Files.writeString(
          dir.resolve("runbooks/look.yaml"),
          """
          name: look
          match: ['alertname = "Growing"']
          steps:
            - {id: pause, wait: 3s}
            - {id: note, needs: [pause], incident: {action: note, text: "looked"}}
          onSuccess: none
          """);
      try (TestDaemon d =
          start(null, slack, NotifyConfig.slack("#ops-eu"), retry("50ms", "300ms", 10))) {
        String id = fire(d, "Growing");
        await().atMost(WAIT).until(() -> slack.messages("#ops-eu").size() == 1);
        FakeSlack.Message message = slack.messages("#ops-eu").get(0);
        await()
            .atMost(WAIT)
            .until(() -> FakeSlack.blockText(message).contains("*Runbook:* look: succeeded"));

        // a second host joins the incident: the message says so without anyone clicking
        var second =
            d.post(
                "/api/v1/alerts/alertmanager",
                NotifyConfig.criticalWebhook("Growing").replace("host-1", "host-2"));
        assertThat(second.statusCode()).isEqualTo(202);
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> assertThat(FakeSlack.blockText(message)).contains("*Alerts:* 2 firing of 2"));
        assertThat(slack.messages("#ops-eu")).as("updated in place, never posted again").hasSize(1);
        assertThat(timeline(d, id))
            .as("refreshes leave no timeline lines of their own")
            .noneMatch(l -> l.contains("refresh"));
      }
    }
  }

  @Test
  void retryAfterIsHonoured() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      try (TestDaemon d =
          start(null, slack, NotifyConfig.slack("#ops-eu"), retry("50ms", "300ms", 10))) {
        String id = fire(d, "Limited");
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(
                            l -> l.startsWith("notified: paged team eu (level 1) via slack")));
        slack.rateLimitNext("#ops-eu", 1, 2);
        FakeScheduler.await(
            d.daemon.slackMessages().orElseThrow().update(IncidentId.parse(id).orElseThrow()));
        List<FakeSlack.Call> calls = slack.calls("chat.update", "#ops-eu");
        assertThat(calls).extracting(FakeSlack.Call::status).containsExactly(429, 200);
        assertThat(calls.get(1).atMillis() - calls.get(0).atMillis())
            .as("waited Retry-After: 2")
            .isGreaterThanOrEqualTo(2000);
      }
    }
  }

  // on PostgreSQL the dead daemon's claim on the outbox row must run out before the next one
  // retries it
  static final String CRASHY = retry("50ms", "300ms", 10) + "ha: {leaseTtl: 2s}\n";

  /**
   * Fires one incident and one more whose post Slack takes but never answers; the daemon stops
   * meanwhile.
   */
  String crashWhilePosting(FakeSlack slack) throws Exception {
    try (TestDaemon d = start(null, slack, NotifyConfig.slack("#ops-eu"), CRASHY)) {
      String before = fire(d, "Before");
      await()
          .atMost(WAIT)
          .until(
              () ->
                  timeline(d, before).stream()
                      .anyMatch(l -> l.startsWith("notified: paged team eu (level 1) via slack")));
      slack.holdPosts(1);
      String id = fire(d, "Crash");
      await().atMost(WAIT).until(() -> slack.messages("#ops-eu").size() == 2);
      assertThat(timeline(d, id))
          .as("the ts is not stored")
          .noneMatch(l -> l.startsWith("notified: paged team eu (level 1) via slack"));
      return id;
    } // stopped while chat.postMessage is in flight: Slack posted, Vigil never stored the ts
  }

  @Test
  void aPostWhoseAnswerWasLostInACrashIsFoundInTheHistoryAndUpdatedInPlaceNotPostedAgain()
      throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      String id = crashWhilePosting(slack);
      FakeSlack.Message message = slack.messages("#ops-eu").get(1);
      assertThat(new JsonObject(message.metadata))
          .as("the post names its incident")
          .isEqualTo(
              new JsonObject()
                  .put("event_type", "vigil_incident")
                  .put("event_payload", new JsonObject().put("incident", id)));
      assertThat(slack.calls().stream().filter(c -> c.method().equals("conversations.history")))
          .as("the normal path does not read the history")
          .isEmpty();

      try (TestDaemon d = start(null, slack, NotifyConfig.slack("#ops-eu"), CRASHY)) {
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(
                            l -> l.startsWith("notified: paged team eu (level 1) via slack")));
        assertThat(slack.messages("#ops-eu"))
            .as("the retry found the message instead of posting again")
            .hasSize(2);
        assertThat(slack.calls("conversations.history", "#ops-eu"))
            .hasSize(1)
            .allSatisfy(c -> assertThat(c.param("include_all_metadata")).isIn("1", "true"));

        assertThat(
                d.post("/api/v1/incidents/" + id + "/acknowledge", "{\"by\": \"alice\"}")
                    .statusCode())
            .isEqualTo(200);
        await().atMost(WAIT).until(() -> message.text().contains("acknowledged"));
        assertThat(slack.messages("#ops-eu"))
            .as("one message per incident, updated in place")
            .hasSize(2);
        assertThat(slack.calls("chat.postMessage", "#ops-eu")).hasSize(2);
        assertThat(slack.calls("conversations.history", "#ops-eu"))
            .as("only the retry read the history")
            .hasSize(1);
      }
    }
  }

  @Test
  void withoutTheHistoryScopeTheRetryPostsASecondMessageAndSaysWhy() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN).withoutHistoryScope();
        LogCapture logs = new LogCapture(Level.INFO)) {
      String id = crashWhilePosting(slack);
      try (TestDaemon d = start(null, slack, NotifyConfig.slack("#ops-eu"), CRASHY)) {
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(
                            l -> l.startsWith("notified: paged team eu (level 1) via slack")));
        assertThat(slack.messages("#ops-eu")).as("a second message beats a lost page").hasSize(3);
        assertThat(slack.messages("#ops-eu").get(2).text()).contains(id);
        assertThat(logs.text())
            .containsPattern(
                "WARN dev.vigil.slack.SlackMessages .*missing_scope.*channels:history.*posting again");
      }
    }
  }
}
