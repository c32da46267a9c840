package dev.vigil.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.FakeSlack;
import dev.vigil.fake.NotifyConfig;
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
 * A runbook's {@code slack} and {@code pagerduty} steps are delivered through the notification
 * outbox (to the fake Slack and PagerDuty), and each step's output is what the delivery returned.
 */
class RunbookMessagesTest {
  static final String TOKEN = "xoxb-test-token";

  /** A delivery that fails is retried within a second, not the default 30 s. */
  static final String FAST_RETRY =
      "notify:\n  retry: {maxAttempts: 8, initialDelay: 1s, maxDelay: 2s}\n";

  @TempDir Path dir;

  @Test
  void aSlackStepPostsToTheTeamChannelOnce() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      String vigil = slackYaml(slack) + FAST_RETRY;
      NotifyConfig.write(dir, NotifyConfig.slack("#ops-eu"), vigil);
      runbook(
          "tell",
          """
            - id: tell
              slack:
                text: "Looking at ${{ alert.labels.service }} on ${{ alert.labels.instance }}"
          """);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        assertThat(
                d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("Checkout"))
                    .statusCode())
            .isEqualTo(202);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    slack.messages("#ops-eu").stream()
                        .anyMatch(m -> m.text().contains("Looking at checkout on host-1")));
        JsonObject inc = new JsonObject(d.get("/api/v1/incidents/INC-1").body());
        assertThat(inc.getJsonArray("runs").getJsonObject(0).getString("runbook"))
            .isEqualTo("tell");
        assertThat(
                slack.messages("#ops-eu").stream()
                    .filter(m -> m.text().contains("Looking at"))
                    .count())
            .isEqualTo(1);
      }
    }
  }

  @Test
  void aSlackStepOutputsThePostedMessagesTsAndALaterStepUsesIt() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      String vigil = slackYaml(slack) + FAST_RETRY;
      NotifyConfig.write(dir, NotifyConfig.slack("#ops-eu"), vigil);
      runbook(
          "thread",
          """
            - id: first
              slack: {text: "Looking at ${{ alert.labels.instance }}"}
            - id: second
              needs: [first]
              slack: {text: "Follow-up to ${{ steps.first.output.ts }} in ${{ steps.first.output.channelId }}"}
          """);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        assertThat(
                d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("Checkout"))
                    .statusCode())
            .isEqualTo(202);
        JsonObject run = awaitRun(d, "succeeded");
        FakeSlack.Message first =
            slack.messages("#ops-eu").stream()
                .filter(m -> m.text().contains("Looking at host-1"))
                .findFirst()
                .orElseThrow();
        JsonObject out = step(run, "first").getJsonObject("output");
        assertThat(first.ts).isNotEmpty();
        assertThat(out.getString("ts")).isEqualTo(first.ts);
        assertThat(out.getString("channelId")).isEqualTo(slack.channelId("#ops-eu"));
        assertThat(out.getString("channel")).isEqualTo("#ops-eu");
        assertThat(slack.messages("#ops-eu").stream().map(FakeSlack.Message::text))
            .contains("Follow-up to " + first.ts + " in " + slack.channelId("#ops-eu"));
      }
    }
  }

  @Test
  void aSlackStepThatSlackRefusesFailsWithSlacksError() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      slack.missing("#gone");
      String vigil = slackYaml(slack) + FAST_RETRY;
      NotifyConfig.write(dir, NotifyConfig.slack("#ops-eu"), vigil);
      runbook(
          "lost",
          """
            - id: tell
              slack: {channel: "#gone", text: "hello"}
          """);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        assertThat(
                d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("Checkout"))
                    .statusCode())
            .isEqualTo(202);
        JsonObject run = awaitRun(d, "failed");
        assertThat(step(run, "tell").getString("status")).isEqualTo("failed");
        assertThat(step(run, "tell").getString("error"))
            .isEqualTo("slack: chat.postMessage to #gone failed: channel_not_found");
      }
    }
  }

  @Test
  void aPagerDutyStepReachesPagerDutyWithTheIncidentsDedupKey() throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty()) {
      // the first two calls fail (503, 429): the step waits through the outbox's retries. The
      // alert is "info", which pages nobody, so that those two calls are the step's own (a
      // critical one's escalation page would race the step for them)
      pd.failFirst(2);
      String vigil = "pagerduty: {eventsUrl: \"" + pd.url() + "\"}\n" + FAST_RETRY;
      NotifyConfig.write(dir, NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY), vigil);
      runbook(
          "page",
          """
            - id: page
              pagerduty:
                action: trigger
                summary: "Disk full on ${{ alert.labels.instance }}"
                severity: warning
            - id: later
              needs: [page]
              pagerduty: {action: resolve}
          """);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        assertThat(
                d.post(
                        "/api/v1/alerts/alertmanager",
                        NotifyConfig.criticalWebhook("Checkout")
                            .replace("\"severity\": \"critical\"", "\"severity\": \"info\""))
                    .statusCode())
            .isEqualTo(202);
        JsonObject run = awaitRun(d, "succeeded");
        assertThat(pd.injectedFailures()).isEqualTo(2);
        assertThat(step(run, "page").getJsonObject("output").getString("dedupKey"))
            .isEqualTo("INC-1");
        assertThat(step(run, "later").getJsonObject("output").getString("dedupKey"))
            .isEqualTo("INC-1");
        List<JsonObject> triggers =
            pd.acceptedEvents().stream()
                .filter(
                    e ->
                        e.getString("event_action").equals("trigger")
                            && e.getJsonObject("payload")
                                .getString("summary")
                                .equals("Disk full on host-1"))
                .toList();
        assertThat(triggers).hasSize(1);
        assertThat(triggers.get(0).getString("dedup_key")).isEqualTo("INC-1");
        assertThat(triggers.get(0).getString("routing_key")).isEqualTo(NotifyConfig.ROUTING_KEY);
        assertThat(triggers.get(0).getJsonObject("payload").getString("severity"))
            .isEqualTo("warning");
        assertThat(pd.accepted("INC-1", "resolve")).isGreaterThanOrEqualTo(1);
        JsonArray timeline =
            new JsonObject(d.get("/api/v1/incidents/INC-1").body()).getJsonArray("timeline");
        assertThat(
                timeline.stream()
                    .map(JsonObject.class::cast)
                    .map(e -> e.getString("kind") + ": " + e.getString("text")))
            .contains("notification: pagerduty trigger (team eu): Disk full on host-1 [warning]")
            .anyMatch(
                t ->
                    t.startsWith(
                        "notified: paged team eu (runbook step) via pagerduty (team eu, dedup_key INC-1)"));
      }
    }
  }

  @Test
  void aPagerDutyStepThatNamesATeamPagesThatTeamsRoutingKey() throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty()) {
      String vigil = "pagerduty: {eventsUrl: \"" + pd.url() + "\"}\n" + FAST_RETRY;
      NotifyConfig.write(dir, NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY), vigil);
      String dbKey = "fedcba9876543210fedcba9876543210";
      // a second team, never on call, that runbooks page by name (e.g. the database team)
      String teams =
          Files.readString(dir.resolve("config/teams.yaml"))
              .replace(
                  "escalation:",
                  """
            - id: db
              coverage: [{ from: "00:00", to: "00:00", days: [sun] }]
              pagerduty: { routingKey: "%s" }
          escalation:"""
                      .formatted(dbKey));
      Files.writeString(dir.resolve("config/teams.yaml"), teams);
      runbook(
          "dba",
          """
            - id: dba
              pagerduty: {team: db, summary: "Replication lag on ${{ alert.labels.instance }}"}
          """);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        assertThat(
                d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("Checkout"))
                    .statusCode())
            .isEqualTo(202);
        JsonObject run = awaitRun(d, "succeeded");
        assertThat(step(run, "dba").getJsonObject("output").getString("dedupKey"))
            .isEqualTo("INC-1");
        assertThat(pd.acceptedEvents())
            .filteredOn(e -> e.getString("routing_key").equals(dbKey))
            .singleElement()
            .satisfies(e -> assertThat(e.getString("dedup_key")).isEqualTo("INC-1"))
            .satisfies(
                e ->
                    assertThat(e.getJsonObject("payload").getString("summary"))
                        .isEqualTo("Replication lag on host-1"));
      }
    }
  }

  @Test
  void aPagerDutyStepFailsWhenPagerDutyIsOff() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      String vigil = slackYaml(slack) + FAST_RETRY;
      NotifyConfig.write(dir, NotifyConfig.slack("#ops-eu"), vigil);
      runbook(
          "page",
          """
            - id: page
              pagerduty: {action: trigger}
          """);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        assertThat(
                d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("Checkout"))
                    .statusCode())
            .isEqualTo(202);
        JsonObject run = awaitRun(d, "failed");
        assertThat(step(run, "page").getString("error"))
            .isEqualTo(
                "pagerduty: trigger INC-1 not sent: PagerDuty is off"
                    + " (no team had a pagerduty.routingKey when Vigil started); the event went to the log only");
      }
    }
  }

  private static String slackYaml(FakeSlack slack) {
    return "slack: {botToken: \""
        + TOKEN
        + "\", apiUrl: \""
        + slack.apiUrl()
        + "\", opsChannel: \"#vigil-ops\"}\n";
  }

  private void runbook(String name, String steps) throws Exception {
    Files.writeString(
        dir.resolve("runbooks/" + name + ".yaml"),
        """
        name: %s
        match: ['alertname = "Checkout"']
        onSuccess: none
        onFailure: none
        steps:
        %s"""
            .formatted(name, steps));
  }

  /** The incident's first run, once it has ended with {@code status}. */
  private static JsonObject awaitRun(TestDaemon d, String status) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              JsonObject inc = new JsonObject(d.get("/api/v1/incidents/INC-1").body());
              JsonArray runs = inc.getJsonArray("runs", new JsonArray());
              return !runs.isEmpty() && runs.getJsonObject(0).getString("status").equals(status);
            });
    String id =
        new JsonObject(d.get("/api/v1/incidents/INC-1").body())
            .getJsonArray("runs")
            .getJsonObject(0)
            .getString("id");
    return new JsonObject(d.get("/api/v1/runs/" + id).body());
  }

  private static JsonObject step(JsonObject run, String id) {
    return run.getJsonArray("steps").stream()
        .map(JsonObject.class::cast)
        .filter(s -> s.getString("id").equals(id))
        .findFirst()
        .orElseThrow();
  }
}
