package dev.vigil.http;

import static dev.vigil.TestDaemon.resource;
import static dev.vigil.http.IngestApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acting on incidents through the API: the lifecycle, notes, filters and the errors people see. */
class IncidentApiTest {
  @TempDir Path dir;

  @Test
  void acknowledgeThenResolveWritesTheTimelineAndRefusesRepeats() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      d.post("/api/v1/alerts/alertmanager", resource("webhooks/webhook-v4-1alert.json"));

      JsonObject acked =
          new JsonObject(
              d.post(
                      "/api/v1/incidents/INC-1/acknowledge",
                      "{\"by\": \"alice\", \"text\": \"looking\"}")
                  .body());
      assertThat(acked.getString("status")).isEqualTo("acknowledged");
      assertThat(acked.getString("acknowledgedBy")).isEqualTo("alice");
      assertError(
          d.post("/api/v1/incidents/INC-1/acknowledge", "{\"by\": \"bob\"}"),
          409,
          "incident INC-1 is already acknowledged by alice");

      assertThat(
              d.post(
                      "/api/v1/incidents/INC-1/notes",
                      "{\"by\": \"alice\", \"text\": \"restarted the exporter\"}")
                  .statusCode())
          .isEqualTo(201);
      assertError(
          d.post("/api/v1/incidents/INC-1/notes", "{\"by\": \"alice\"}"),
          400,
          "text: required, the note itself");

      assertThat(
              d.post("/api/v1/incidents/INC-1/resolve", "{\"by\": \"alice\", \"text\": \"fixed\"}")
                  .statusCode())
          .isEqualTo(200);
      assertError(
          d.post("/api/v1/incidents/INC-1/resolve", ""),
          409,
          "incident INC-1 is already resolved (by alice)");
      assertError(
          d.post("/api/v1/incidents/INC-1/acknowledge", ""),
          409,
          "incident INC-1 is resolved; there is nothing to acknowledge");

      JsonArray timeline =
          new JsonObject(d.get("/api/v1/incidents/INC-1").body()).getJsonArray("timeline");
      assertThat(
              timeline.stream()
                  .map(
                      e ->
                          ((JsonObject) e).getString("kind")
                              + " by "
                              + ((JsonObject) e).getString("by")
                              + ": "
                              + ((JsonObject) e).getString("text")))
          .containsExactly(
              "opened by alertmanager: opened: HostHighCpuLoad on host-0001.example.internal:9100 (severity critical)",
              "alert by alertmanager: 1 alert firing: HostHighCpuLoad on host-0001.example.internal:9100",
              "acknowledged by alice: acknowledged: looking",
              "note by alice: restarted the exporter",
              "resolved by alice: resolved: fixed");
    }
  }

  @Test
  void unknownIncidentsAndBadParametersSayWhatIsWrong() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      assertError(d.get("/api/v1/incidents/INC-404"), 404, "incident INC-404 does not exist");
      assertError(
          d.get("/api/v1/incidents/42"), 404, "incident 42 does not exist (ids look like INC-42)");
      assertError(
          d.post("/api/v1/incidents/INC-9/resolve", ""), 404, "incident INC-9 does not exist");
      assertError(
          d.get("/api/v1/incidents?status=open"),
          400,
          "status: expected triggered, acknowledged or resolved, got \"open\"");
      assertError(
          d.get("/api/v1/incidents?severity=high"),
          400,
          "severity: expected one of critical, error, warning, info, got \"high\"");
      assertError(
          d.get("/api/v1/incidents?limit=0"),
          400,
          "limit: expected a whole number from 1 to 1000, got \"0\"");
      assertError(
          d.post("/api/v1/incidents/INC-1/notes", "[1]"),
          400,
          "body: expected a JSON object like {\"by\": \"alice\", \"text\": \"...\"}");
      assertError(
          d.post("/api/v1/incidents/INC-1/notes", "{\"text\": 5}"), 400, "text: expected a string");
      assertError(d.get("/api/v1/nothing"), 404, "no such endpoint: GET /api/v1/nothing");
    }
  }

  @Test
  void listIsNewestFirstAndFilters() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      d.post(
          "/api/v1/alerts/alertmanager",
          resource("webhooks/webhook-v4-1alert.json")); // INC-1 critical
      d.post(
          "/api/v1/alerts/alertmanager",
          resource("webhooks/webhook-v4-10alerts.json")); // INC-2 warning
      d.post("/api/v1/incidents/INC-2/acknowledge", "");

      assertThat(ids(d, "")).containsExactly("INC-2", "INC-1");
      assertThat(ids(d, "?severity=critical")).containsExactly("INC-1");
      assertThat(ids(d, "?status=acknowledged")).containsExactly("INC-2");
      assertThat(ids(d, "?limit=1")).containsExactly("INC-2");
      assertThat(ids(d, "?team=eu")).isEmpty();
      JsonObject first =
          new JsonObject(d.get("/api/v1/incidents").body())
              .getJsonArray("incidents")
              .getJsonObject(1);
      assertThat(first.fieldNames())
          .contains("id", "status", "severity", "type", "team", "title", "alertCount", "openedAt");
    }
  }

  @Test
  void readyzReportsTheStoreAndWhichIntegrationsAreOff() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      JsonObject ready = new JsonObject(d.get("/readyz").body());
      assertThat(ready.getBoolean("ready")).isTrue();
      assertThat(ready.getJsonObject("checks").getString("store")).isEqualTo("ok");
      assertThat(ready.getJsonObject("integrations").getString("slack"))
          .isEqualTo("off: no slack.botToken configured");
      assertThat(d.get("/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
    }
  }

  private static List<String> ids(TestDaemon d, String query) {
    return new JsonObject(d.get("/api/v1/incidents" + query).body())
        .getJsonArray("incidents").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }
}
