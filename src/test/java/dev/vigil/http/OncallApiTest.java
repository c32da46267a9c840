package dev.vigil.http;

import static dev.vigil.TestDaemon.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.timer.FakeClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-call, overrides and escalation through a real daemon on loopback, with the shipped teams and
 * classification files.
 */
class OncallApiTest {
  static final String HOOK = "/api/v1/alerts/alertmanager";
  static final Instant MONDAY_0600 = Instant.parse("2026-11-30T06:00:00Z");

  @TempDir Path dir;
  final FakeClock clock = new FakeClock(MONDAY_0600);

  @BeforeEach
  void shippedTeamsAndClassification() throws Exception {
    TestDaemon.copyShippedRouting(dir);
  }

  TestDaemon start() {
    return TestDaemon.start(dir, "", Map.of(), clock);
  }

  static HttpResponse<String> delete(TestDaemon d, String path) {
    try {
      return d.http.send(
          HttpRequest.newBuilder(URI.create(d.url(path))).DELETE().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject json(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  static List<String> timeline(TestDaemon d, String id) {
    return json(d.get("/api/v1/incidents/" + id)).getJsonArray("timeline").stream()
        .map(e -> ((JsonObject) e).getString("kind") + ": " + ((JsonObject) e).getString("text"))
        .toList();
  }

  @Test
  void oncallAnswersForAnyInstantAndRefusesABadOne() {
    try (TestDaemon d = start()) {
      HttpResponse<String> r = d.get("/api/v1/oncall?at=2026-11-29T02:00:00Z");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json(r))
          .isEqualTo(
              new JsonObject()
                  .put("at", "2026-11-29T02:00:00Z")
                  .put("active", new JsonArray().add("us"))
                  .put("fallback", false)
                  .put(
                      "next",
                      new JsonObject().put("team", "eu").put("at", "2026-11-29T05:00:00Z")));
      assertThat(json(d.get("/api/v1/oncall")).getString("at"))
          .isEqualTo("2026-11-30T06:00:00Z"); // the daemon's clock
      assertThat(json(d.get("/api/v1/oncall")).getJsonArray("active")).containsExactly("eu");

      HttpResponse<String> bad = d.get("/api/v1/oncall?at=yesterday");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(json(bad).getString("error"))
          .isEqualTo(
              "at: expected an RFC 3339 UTC instant like 2026-11-29T03:00:00Z, got \"yesterday\"");
    }
  }

  @Test
  void overridesAreStoredListedAppliedAndDeleted() {
    try (TestDaemon d = start()) {
      HttpResponse<String> made =
          d.post(
              "/api/v1/overrides",
              "{\"team\": \"india\", \"duration\": \"2h\", \"by\": \"lead\", \"reason\": \"eu offsite\"}");
      assertThat(made.statusCode()).isEqualTo(201);
      JsonObject o = json(made);
      assertThat(o.getString("team")).isEqualTo("india");
      assertThat(o.getString("from")).isEqualTo("2026-11-30T06:00:00Z");
      assertThat(o.getString("until")).isEqualTo("2026-11-30T08:00:00Z");

      assertThat(json(d.get("/api/v1/overrides")).getJsonArray("overrides")).hasSize(1);
      JsonObject now = json(d.get("/api/v1/oncall"));
      assertThat(now.getJsonArray("active")).containsExactly("india");
      assertThat(now.getJsonObject("override").getString("by")).isEqualTo("lead");
      assertThat(now.getJsonObject("next"))
          .isEqualTo(new JsonObject().put("team", "eu").put("at", "2026-11-30T08:00:00Z"));

      assertThat(d.post("/api/v1/overrides", "{\"team\": \"mars\", \"duration\": \"2h\"}").body())
          .isEqualTo(
              "{\"error\":\"team: unknown team \\\"mars\\\"; teams are us, eu, india, ph\"}");
      assertThat(
              d.post("/api/v1/overrides", "{\"team\": \"eu\", \"duration\": \"2\"}").statusCode())
          .isEqualTo(400);
      assertThat(d.post("/api/v1/overrides", "{\"team\": \"eu\"}").statusCode()).isEqualTo(400);

      assertThat(delete(d, "/api/v1/overrides/" + o.getLong("id")).statusCode()).isEqualTo(204);
      assertThat(delete(d, "/api/v1/overrides/" + o.getLong("id")).statusCode()).isEqualTo(404);
      assertThat(json(d.get("/api/v1/oncall")).getJsonArray("active")).containsExactly("eu");
    }
  }

  @Test
  void anIncidentPagesTheActiveTeamAndEscalatesByHandUntilAcknowledged() {
    try (TestDaemon d = start()) {
      assertThat(d.post(HOOK, resource("webhooks/webhook-v4-1alert.json")).statusCode())
          .isEqualTo(202);
      JsonObject inc = json(d.get("/api/v1/incidents/INC-1"));
      assertThat(inc.getString("team")).isEqualTo("eu");
      assertThat(inc.getString("severity")).isEqualTo("critical");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  timeline(d, "INC-1")
                      .contains(
                          "notified: paged team eu (level 1) via the log; slack not configured (no PagerDuty routing key or Slack bot token), so nobody was messaged"));
      assertThat(timeline(d, "INC-1"))
          .contains(
              "escalated: level 1: paging team eu (notify active, via slack); next level in 5m unless acknowledged");

      HttpResponse<String> up = d.post("/api/v1/incidents/INC-1/escalate", "{\"by\": \"carol\"}");
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(json(up).getInteger("step")).isEqualTo(1);
      assertThat(timeline(d, "INC-1"))
          .contains(
              "escalation-manual: escalated by hand",
              "escalated: level 2: paging team india (notify next, via slack); next level in 10m unless acknowledged");

      assertThat(d.post("/api/v1/incidents/INC-1/acknowledge", "{\"by\": \"alice\"}").statusCode())
          .isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  timeline(d, "INC-1")
                      .contains(
                          "escalation-stopped: escalation stopped: the incident was acknowledged"));
      assertThat(d.post("/api/v1/incidents/INC-404/escalate", "").statusCode()).isEqualTo(404);
      d.post("/api/v1/incidents/INC-1/resolve", "{}");
      HttpResponse<String> late = d.post("/api/v1/incidents/INC-1/escalate", "");
      assertThat(late.statusCode()).isEqualTo(409);
      assertThat(json(late).getString("error"))
          .isEqualTo("incident INC-1 is resolved; there is nobody left to escalate to");
    }
  }

  @Test
  void aTimerThatFellDueWhileTheDaemonWasDownFiresWhenItStarts() {
    try (TestDaemon d = start()) {
      d.post(HOOK, resource("webhooks/webhook-v4-1alert.json"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  timeline(d, "INC-1").stream().anyMatch(l -> l.startsWith("escalated: level 1")));
    }
    clock.set(
        MONDAY_0600.plus(
            Duration.ofMinutes(30))); // down for half an hour; level 2 was due at 06:05
    try (TestDaemon d = start()) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  timeline(d, "INC-1")
                      .contains(
                          "escalated: level 2: paging team india (notify next, via slack); next level in 10m unless acknowledged"));
      assertThat(timeline(d, "INC-1"))
          .contains("ack-timeout: level 1 was not acknowledged within 5m");
    }
  }
}
