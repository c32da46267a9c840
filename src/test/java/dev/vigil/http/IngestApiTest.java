package dev.vigil.http;

import static dev.vigil.TestDaemon.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alert endpoints over real HTTP, with a real SQLite file behind them. */
class IngestApiTest {
  static final String HOOK = "/api/v1/alerts/alertmanager";
  static final String TEN = resource("webhooks/webhook-v4-10alerts.json");
  static final String ONE = resource("webhooks/webhook-v4-1alert.json");

  @TempDir Path dir;

  @Test
  void webhookOpensOneIncidentPerGroupAndRepeatsAreNoOps() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      HttpResponse<String> r = d.post(HOOK, TEN);
      assertThat(r.statusCode()).isEqualTo(202);
      assertThat(new JsonObject(r.body()))
          .isEqualTo(
              new JsonObject().put("accepted", 10).put("incidents", new JsonArray().add("INC-1")));

      JsonObject before = new JsonObject(d.get("/api/v1/incidents/INC-1").body());
      assertThat(d.post(HOOK, TEN).body()).isEqualTo("{\"accepted\":10,\"incidents\":[\"INC-1\"]}");
      JsonObject after = new JsonObject(d.get("/api/v1/incidents/INC-1").body());

      assertThat(after.getInteger("alertCount")).isEqualTo(10);
      assertThat(after.getJsonArray("alerts")).hasSize(10);
      assertThat(after.getJsonArray("timeline")).isEqualTo(before.getJsonArray("timeline"));
      assertThat(after.getString("status")).isEqualTo("triggered");
      assertThat(after.getString("severity")).isEqualTo("warning");
      assertThat(after.getString("title"))
          .isEqualTo("TargetDown on host-0001.example.internal:9100");
      JsonObject first = after.getJsonArray("alerts").getJsonObject(0);
      assertThat(first.getString("fingerprint")).isEqualTo("1e7199c72d9ae371");
      assertThat(first.getString("endsAt")).as("year 1 means no end").isNull();
    }
  }

  @Test
  void resolvedAlertsResolveTheIncidentAndAFreshFiringOpensANewOne() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      d.post(HOOK, ONE);
      String resolved =
          ONE.replace("\"status\":\"firing\"", "\"status\":\"resolved\"")
              .replace(
                  "\"endsAt\":\"0001-01-01T00:00:00Z\"", "\"endsAt\":\"2026-11-29T05:50:00Z\"");
      assertThat(d.post(HOOK, resolved).statusCode()).isEqualTo(202);

      JsonObject inc = new JsonObject(d.get("/api/v1/incidents/INC-1").body());
      assertThat(inc.getString("status")).isEqualTo("resolved");
      assertThat(inc.getString("resolvedBy")).isEqualTo("alertmanager");
      assertThat(inc.getJsonArray("alerts").getJsonObject(0).getString("endsAt"))
          .isEqualTo("2026-11-29T05:50:00Z");
      assertThat(inc.getJsonArray("timeline").stream().map(e -> ((JsonObject) e).getString("kind")))
          .containsExactly("opened", "alert", "alert-resolved", "resolved");

      // Re-sending the resolved message changes nothing; a new occurrence opens a new incident.
      d.post(HOOK, resolved);
      String refired = ONE.replace("2026-11-29T05:36:32Z", "2026-11-29T06:10:00Z");
      assertThat(new JsonObject(d.post(HOOK, refired).body()).getJsonArray("incidents"))
          .containsExactly("INC-2");
      assertThat(new JsonObject(d.get("/api/v1/incidents/INC-1").body()).getString("status"))
          .isEqualTo("resolved");
      assertThat(new JsonObject(d.get("/api/v1/incidents/INC-2").body()).getString("severity"))
          .isEqualTo("critical");
    }
  }

  @Test
  void alertListContinuesTheFiringOccurrenceAndResolvesByEndsAt() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      String alert =
          "[{\"labels\": {\"alertname\": \"DiskFull\", \"instance\": \"db-1\", \"severity\": \"error\"}}]";
      assertThat(d.post("/api/v1/alerts", alert).body())
          .isEqualTo("{\"accepted\":1,\"incidents\":[\"INC-1\"]}");
      assertThat(d.post("/api/v1/alerts", alert).body())
          .isEqualTo("{\"accepted\":1,\"incidents\":[\"INC-1\"]}");
      JsonObject inc = new JsonObject(d.get("/api/v1/incidents/INC-1").body());
      assertThat(inc.getInteger("alertCount"))
          .as("no startsAt: the same occurrence continues")
          .isEqualTo(1);
      assertThat(inc.getString("severity")).isEqualTo("error");

      String ended =
          "[{\"labels\": {\"alertname\": \"DiskFull\", \"instance\": \"db-1\", \"severity\": \"error\"}, \"endsAt\": \""
              + Instant.now().minusSeconds(5)
              + "\"}]";
      d.post("/api/v1/alerts", ended);
      assertThat(new JsonObject(d.get("/api/v1/incidents/INC-1").body()).getString("status"))
          .isEqualTo("resolved");
    }
  }

  @Test
  void badBodiesAreRefusedWithTheFieldThatIsWrong() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      assertError(
          d.post(HOOK, "{\"version\": \"4\", "),
          400,
          "body: malformed JSON at line 1, column 18: Unexpected end-of-input within/between Object entries");
      assertError(
          d.post(HOOK, "[]"),
          400,
          "body: expected a JSON object (an Alertmanager webhook, payload version 4), got a list");
      assertError(
          d.post(HOOK, "{\"groupKey\": \"g\", \"alerts\": []}"),
          400,
          "version: missing; expected \"4\" (Alertmanager webhook payload version 4; a custom payload template is not supported)");
      assertError(
          d.post(HOOK, "{\"version\": \"3\", \"groupKey\": \"g\", \"alerts\": []}"),
          400,
          "version: expected \"4\", got \"3\"");
      assertError(d.post(HOOK, "{\"version\": \"4\", \"alerts\": []}"), 400, "groupKey: missing");
      assertError(
          d.post(HOOK, "{\"version\": \"4\", \"groupKey\": \"g\"}"),
          400,
          "alerts: expected a list of alerts, got nothing");
      String alert = "{\"version\": \"4\", \"groupKey\": \"g\", \"alerts\": [%s]}";
      assertError(
          d.post(
              HOOK,
              alert.formatted("{\"status\": \"firing\", \"startsAt\": \"2026-11-29T05:36:32Z\"}")),
          400,
          "alerts[0].labels: missing (an alert needs at least one label)");
      assertError(
          d.post(
              HOOK,
              alert.formatted(
                  "{\"status\": \"firing\", \"labels\": {\"a\": 1}, \"startsAt\": \"2026-11-29T05:36:32Z\"}")),
          400,
          "alerts[0].labels.a: expected a string, got the number 1");
      assertError(
          d.post(HOOK, alert.formatted("{\"status\": \"burning\", \"labels\": {\"a\": \"b\"}}")),
          400,
          "alerts[0].status: expected \"firing\" or \"resolved\", got \"burning\"");
      assertError(
          d.post(
              HOOK,
              alert.formatted(
                  "{\"status\": \"firing\", \"labels\": {\"a\": \"b\"}, \"startsAt\": \"yesterday\"}")),
          400,
          "alerts[0].startsAt: not an RFC 3339 time: \"yesterday\"");
      assertError(
          d.post(
              HOOK,
              alert.formatted(
                  "{\"status\": \"firing\", \"labels\": {\"a\": \"b\"}, \"startsAt\": \"2026-11-29T05:36:32Z\", \"fingerprint\": \"ab\\udc00\"}")),
          400,
          "alerts[0].fingerprint: not valid Unicode (an unpaired surrogate \\udc00 at character 2)");
      assertError(
          d.post(HOOK, "{\"version\": \"4\", \"version\": \"4\"}"),
          400,
          "body: malformed JSON at line 1, column 27: Duplicate field 'version'");
      assertError(
          d.post("/api/v1/alerts", "{}"),
          400,
          "body: expected a JSON array of alerts, got an object");
      assertError(
          d.post("/api/v1/alerts", "[{\"labels\": {}}]"),
          400,
          "[0].labels: empty (an alert needs at least one label)");
      assertError(
          d.post(HOOK, ONE, "Content-Type", "text/plain"),
          415,
          "Content-Type must be application/json, got \"text/plain\"");

      assertThat(d.get("/api/v1/incidents").body()).isEqualTo("{\"incidents\":[]}");
      assertThat(d.get("/metrics").body())
          .contains("vigil_alerts_rejected_total{reason=\"bad_request\"} 14.0")
          .contains("vigil_alerts_rejected_total{reason=\"unsupported_media_type\"} 1.0");
    }
  }

  @Test
  void bodiesOverTheLimitGet413() {
    try (TestDaemon d =
        TestDaemon.start(dir, "server: {host: 127.0.0.1, port: 0, maxBodyBytes: 2048}")) {
      assertError(
          d.post(HOOK, TEN), 413, "body too large: the limit is 2048 bytes (server.maxBodyBytes)");
      assertThat(d.post(HOOK, ONE).statusCode()).isEqualTo(202);
    }
  }

  @Test
  void webhookAndApiTokensAreSeparateScopes() {
    String yaml = "auth: {webhookTokens: [\"hook-secret\"], apiTokens: [\"api-secret\"]}";
    try (TestDaemon d = TestDaemon.start(dir, yaml)) {
      assertError(
          d.post(HOOK, ONE),
          401,
          "missing bearer token: send Authorization: Bearer <webhook token>");
      assertError(
          d.post(HOOK, ONE, "Authorization", "Bearer api-secret"),
          401,
          "invalid bearer token for webhook endpoints");
      assertThat(d.post(HOOK, ONE, "Authorization", "Bearer hook-secret").statusCode())
          .isEqualTo(202);

      assertError(
          d.get("/api/v1/incidents", "Authorization", "Bearer hook-secret"),
          401,
          "invalid bearer token for API endpoints");
      assertThat(d.get("/api/v1/incidents", "Authorization", "Bearer api-secret").statusCode())
          .isEqualTo(200);
      assertThat(d.get("/healthz").statusCode()).as("health needs no token").isEqualTo(200);
      assertThat(d.get("/metrics").body())
          .contains("vigil_alerts_rejected_total{reason=\"unauthorized\"} 2.0");
    }
  }

  @Test
  void aLockedStoreAnswers503AndStoresNothing() throws Exception {
    try (TestDaemon d =
        TestDaemon.start(dir, "store: {url: \"sqlite:../data/vigil.db\", busyTimeout: 200ms}")) {
      try (Connection other =
              DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/vigil.db"));
          Statement s = other.createStatement()) {
        s.execute("BEGIN EXCLUSIVE");
        HttpResponse<String> r = d.post(HOOK, ONE);
        assertError(
            r, 503, "the store is unavailable; nothing from this request was stored, retry later");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        s.execute("ROLLBACK");
      }
      assertThat(d.get("/api/v1/incidents").body()).isEqualTo("{\"incidents\":[]}");
      assertThat(d.post(HOOK, ONE).statusCode()).as("recovers without a restart").isEqualTo(202);
    }
  }

  @Test
  void aFullCommitQueueAnswers503WithRetryAfter() throws Exception {
    String yaml =
        "store: {url: \"sqlite:../data/vigil.db\", busyTimeout: 20s}\ningest: {queueLimit: 10}";
    try (TestDaemon d = TestDaemon.start(dir, yaml)) {
      CompletableFuture<HttpResponse<String>> first;
      try (Connection other =
              DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/vigil.db"));
          Statement s = other.createStatement()) {
        s.execute("BEGIN EXCLUSIVE");
        first = CompletableFuture.supplyAsync(() -> d.post(HOOK, TEN));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> d.get("/metrics").body().contains("vigil_ingest_queue_alerts 10.0"));
        HttpResponse<String> second = d.post(HOOK, ONE);
        assertError(
            second,
            503,
            "Vigil is overloaded (commit queue is full (10 alerts waiting)); nothing from this request was stored, retry later");
        assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
        s.execute("ROLLBACK");
      }
      assertThat(first.get().statusCode()).as("the queued request still commits").isEqualTo(202);
      assertThat(new JsonObject(d.get("/api/v1/incidents").body()).getJsonArray("incidents"))
          .hasSize(1);
    }
  }

  static void assertError(HttpResponse<String> r, int status, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo(message);
  }
}
