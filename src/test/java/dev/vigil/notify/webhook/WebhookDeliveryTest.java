package dev.vigil.notify.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.fake.FakeSlack;
import dev.vigil.fake.NotifyConfig;
import dev.vigil.fake.WebhookReceiver;
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
 * A team's outgoing webhook through a real daemon (this JVM, real SQLite, port 0) to a receiver on
 * loopback that verifies every signature as docs/notifications.md tells receivers to.
 */
class WebhookDeliveryTest {
  static final String SECRET = "0123456789abcdef-webhook-secret";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String FAST_RETRY =
      "notify:\n  retry: {maxAttempts: 10, initialDelay: 50ms, maxDelay: 300ms}\n";

  @TempDir Path dir;

  TestDaemon start(WebhookReceiver hook, String teamExtra, String vigil) throws Exception {
    // the daemon reads teams.yaml with the process environment, so the secret comes from a file
    // here
    String team =
        "webhook: { url: \"" + hook.url() + "\", secret: \"${file:eu-hook-secret}\" }" + teamExtra;
    NotifyConfig.write(dir, team, vigil);
    Files.writeString(dir.resolve("config/eu-hook-secret"), SECRET + "\n");
    return TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC());
  }

  static List<String> timeline(TestDaemon d, String id) {
    JsonArray t = new JsonObject(d.get("/api/v1/incidents/" + id).body()).getJsonArray("timeline");
    return t.stream()
        .map(o -> (JsonObject) o)
        .map(o -> o.getString("kind") + ": " + o.getString("text"))
        .toList();
  }

  static String fire(TestDaemon d) {
    var r = d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("CheckoutDown"));
    assertThat(r.statusCode()).isEqualTo(202);
    return new JsonObject(r.body()).getJsonArray("incidents").getString(0);
  }

  @Test
  void aPageReachesTheTeamsWebhookSignedThenItsAcknowledgementAndResolution() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(SECRET);
        TestDaemon d = start(hook, "", FAST_RETRY)) {
      String id = fire(d);
      await().atMost(WAIT).until(() -> hook.verified("trigger").size() == 1);
      WebhookReceiver.Delivery page = hook.verified("trigger").get(0);
      JsonObject body = page.body();
      assertThat(body.getString("version")).isEqualTo("1");
      assertThat(body.getInteger("level")).isEqualTo(1);
      assertThat(body.getString("team")).isEqualTo("eu");
      assertThat(body.getJsonObject("incident").getString("id")).isEqualTo(id);
      assertThat(body.getJsonObject("incident").getString("severity")).isEqualTo("critical");
      assertThat(body.getJsonObject("incident").getString("status")).isEqualTo("triggered");
      assertThat(body.getJsonArray("alerts")).hasSize(1);
      assertThat(
              body.getJsonArray("alerts")
                  .getJsonObject(0)
                  .getJsonObject("labels")
                  .getString("instance"))
          .isEqualTo("host-1");
      assertThat(page.event()).isEqualTo("trigger");
      assertThat(page.deliveryId()).isEqualTo(body.getString("id")).startsWith("page:" + id);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  timeline(d, id)
                      .contains(
                          "notified: paged team eu (level 1) via webhook "
                              + hook.origin()
                              + " (team eu, HTTP 204)"));
      assertThat(String.join("\n", timeline(d, id)))
          .as("the URL's path and query are never shown")
          .doesNotContain("token=");

      assertThat(
              d.post("/api/v1/incidents/" + id + "/acknowledge", "{\"by\": \"alice\"}")
                  .statusCode())
          .isEqualTo(200);
      await().atMost(WAIT).until(() -> hook.verified("acknowledge").size() == 1);
      JsonObject ack = hook.verified("acknowledge").get(0).body();
      assertThat(ack.getInteger("level")).isZero();
      assertThat(ack.getJsonObject("incident").getString("acknowledgedBy")).isEqualTo("alice");
      assertThat(d.post("/api/v1/incidents/" + id + "/resolve", "{\"by\": \"alice\"}").statusCode())
          .isEqualTo(200);
      await().atMost(WAIT).until(() -> hook.verified("resolve").size() == 1);
      assertThat(
              hook.verified("resolve").get(0).body().getJsonObject("incident").getString("status"))
          .isEqualTo("resolved");
      assertThat(hook.refused()).isZero();
      assertThat(
              new JsonObject(d.get("/readyz").body())
                  .getJsonObject("integrations")
                  .getString("webhook"))
          .isEqualTo("on, circuits closed");
    }
  }

  @Test
  void oneTeamsBrokenReceiverDoesNotStarveAnothersAcknowledgement() throws Exception {
    try (WebhookReceiver eu = new WebhookReceiver(SECRET);
        WebhookReceiver us = new WebhookReceiver(SECRET)) {
      String vigil = FAST_RETRY;
      NotifyConfig.write(
          dir, "webhook: { url: \"" + eu.url() + "\", secret: \"${file:eu-hook-secret}\" }", vigil);
      Path teams = dir.resolve("config/teams.yaml");
      // a second team on call all day beside eu, and both paged at once
      Files.writeString(
          teams,
          Files.readString(teams)
              .replace(
                  "escalation:",
                  """
                - id: us
                  region: amer
                  timezone: America/New_York
                  coverage: [{ from: "00:00", to: "00:00" }]
                  webhook: { url: "%s", secret: "${file:eu-hook-secret}" }
              overlap: all
              escalation:"""
                      .formatted(us.url())));
      Files.writeString(dir.resolve("config/eu-hook-secret"), SECRET + "\n");
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        String id = fire(d);
        await()
            .atMost(WAIT)
            .until(() -> eu.verified("trigger").size() == 1 && us.verified("trigger").size() == 1);
        eu.failFirst(1_000); // eu's receiver breaks for good
        assertThat(
                d.post("/api/v1/incidents/" + id + "/acknowledge", "{\"by\": \"alice\"}")
                    .statusCode())
            .isEqualTo(200);
        await().atMost(WAIT).until(() -> us.verified("acknowledge").size() >= 1);
        assertThat(
                us.verified("acknowledge")
                    .get(0)
                    .body()
                    .getJsonObject("incident")
                    .getString("acknowledgedBy"))
            .isEqualTo("alice");
        assertThat(eu.verified("acknowledge")).isEmpty();
      }
    }
  }

  @Test
  void aFailingReceiverIsRetriedUntilItTakesThePageOnce() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(SECRET).failFirst(3);
        TestDaemon d =
            start(
                hook,
                "",
                FAST_RETRY + "  breaker: {maxFailures: 50, timeout: 5s, resetTimeout: 100ms}\n")) {
      String id = fire(d);
      await().atMost(WAIT).until(() -> hook.verified("trigger").size() == 1);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  timeline(d, id).stream()
                      .anyMatch(
                          l -> l.startsWith("notified: paged team eu (level 1) via webhook")));
      assertThat(hook.requests()).as("three 500s, then the page").isEqualTo(4);
      assertThat(hook.verified("trigger")).hasSize(1);
      // every retry carries the same delivery id, so a receiver could drop a repeat
      assertThat(hook.verified("trigger").get(0).deliveryId()).startsWith("page:" + id);
    }
  }

  @Test
  void aReceiverThatRefusesTheSignatureIsNotRetriedAndTheTimelineSaysWhy() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver("the-receiver-knows-another-secret");
        TestDaemon d = start(hook, "", FAST_RETRY)) {
      String id = fire(d);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  timeline(d, id).stream().anyMatch(l -> l.startsWith("notify-failed: webhook:")));
      assertThat(timeline(d, id))
          .contains(
              "notify-failed: webhook: trigger "
                  + id
                  + " to "
                  + hook.origin()
                  + " rejected (HTTP 401): bad signature; not retried");
      assertThat(hook.requests()).isEqualTo(1);
      assertThat(hook.refused()).isEqualTo(1);
    }
  }

  @Test
  void whileTheReceiverIsDownThePageGoesToSlackAsAFallback() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(SECRET).failFirst(1_000);
        FakeSlack slack = new FakeSlack("xoxb-test-token")) {
      String vigil =
          "slack: {botToken: \"xoxb-test-token\", apiUrl: \""
              + slack.apiUrl()
              + "\", opsChannel: \"#vigil-ops\"}\n"
              + FAST_RETRY
              + "  breaker: {maxFailures: 2, timeout: 5s, resetTimeout: 60s}\n";
      try (TestDaemon d = start(hook, "\n" + NotifyConfig.slack("#ops-eu"), vigil)) {
        String id = fire(d);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    timeline(d, id).stream()
                        .anyMatch(
                            l ->
                                l.startsWith(
                                    "notify-fallback: The team's webhook cannot take"
                                        + " the page now")));
        await().atMost(WAIT).until(() -> slack.messages("#vigil-ops").size() == 1);
        assertThat(slack.messages("#vigil-ops").get(0).text()).contains(id);
        assertThat(
                new JsonObject(d.get("/readyz").body())
                    .getJsonObject("integrations")
                    .getString("webhook"))
            .isEqualTo("on, circuit " + hook.origin() + " open");
      }
    }
  }
}
