package dev.vigil.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.stats.Scenario;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/incidents/{id}/timeline}: the postmortem of the scripted {@link Scenario}'s
 * incidents.
 */
class TimelineApiTest extends Scenario.Played {

  String markdown(String id) {
    HttpResponse<String> r = s.d.get("/api/v1/incidents/" + id + "/timeline?format=markdown");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/markdown; charset=utf-8");
    return r.body();
  }

  /** The lines of the markdown's timeline table, in order. */
  static List<String> rows(String md) {
    return md.substring(md.indexOf("## Timeline"))
        .lines()
        .filter(l -> l.startsWith("| 20"))
        .toList();
  }

  @Test
  void theEscalatedIncidentReadsInOrderFromAlertToResolution() {
    String md = markdown("INC-3");
    assertThat(md).startsWith("# INC-3: checkout is down\n");
    assertThat(md)
        .contains(
            "| acknowledged | 2026-11-29T06:15:00Z by bob |",
            "| resolved | 2026-11-29T06:45:00Z by bob |",
            "alertname=Latency, instance=host-1, service=checkout, severity=critical");
    List<String> rows = rows(md);
    // deliveries are logged whenever the outbox drains (on its own timer), so they are checked
    // apart
    assertThat(rows.stream().filter(r -> !r.contains("| notified |")).toList())
        .satisfiesExactly(
            r ->
                assertThat(r)
                    .startsWith(
                        "| 2026-11-29T06:00:00Z | opened | alertmanager | opened: checkout is down (severity critical, team eu)"),
            r ->
                assertThat(r)
                    .startsWith(
                        "| 2026-11-29T06:00:00Z | alert | alertmanager | 1 alert firing: Latency on host-1"),
            r ->
                assertThat(r)
                    .startsWith(
                        "| 2026-11-29T06:00:00Z | escalated | escalation | level 1: paging team eu"),
            r ->
                assertThat(r)
                    .startsWith(
                        "| 2026-11-29T06:10:00Z | escalation-manual | carol | escalated by hand"),
            r ->
                assertThat(r)
                    .startsWith(
                        "| 2026-11-29T06:10:00Z | escalated | escalation | level 2: paging team us"),
            r ->
                assertThat(r)
                    .startsWith(
                        "| 2026-11-29T06:15:00Z | acknowledged | bob | acknowledged: bob at 06:15"),
            r ->
                assertThat(r)
                    .startsWith(
                        "| 2026-11-29T06:45:00Z | resolved | bob | resolved: bob at 06:45"));
    assertThat(rows)
        .anySatisfy(
            r -> assertThat(r).contains("| notified | notify:log | paged team eu (level 1)"));
    assertThat(rows)
        .anySatisfy(
            r -> assertThat(r).contains("| notified | notify:log | paged team us (level 2)"));
    // the acknowledgement and resolution updates are logged too, and not called pages
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                rows(markdown("INC-3")).stream()
                        .filter(
                            r ->
                                r.contains(
                                    "| notified | notify:log | logged the update for team eu via the log"))
                        .count()
                    == 2);
    assertThat(
            rows(markdown("INC-3")).stream()
                .filter(r -> r.contains("| notified | notify:log | paged team")))
        .hasSize(2);
  }

  @Test
  void aRunbookResolutionShowsItsStepsBetweenTheRunsStartAndEnd() {
    List<String> rows = rows(markdown("INC-1"));
    List<String> kinds = rows.stream().map(r -> r.split(" \\| ")[1]).toList();
    assertThat(kinds)
        .containsSubsequence("opened", "alert", "runbook", "step", "runbook", "resolved");
    assertThat(rows)
        .anySatisfy(
            r ->
                assertThat(r)
                    .startsWith(
                        "| 2026-11-29T06:03:00Z | step | runbook:fix-disk | RUN-1 step settle (wait) succeeded: wait 3m"));
    int step = indexOf(rows, "| step |", "RUN-1 step settle", 0);
    int ended = indexOf(rows, "| runbook |", "run RUN-1 of runbook fix-disk succeeded", 0);
    int resolved =
        indexOf(rows, "| resolved | runbook:fix-disk |", "runbook fix-disk succeeded (RUN-1)", 0);
    assertThat(step)
        .isGreaterThan(indexOf(rows, "| runbook |", "run RUN-1 of runbook fix-disk created by", 0))
        .isLessThan(ended);
    assertThat(resolved).isGreaterThan(ended);
  }

  @Test
  void everyStoredEventIsInTheMarkdownInOrder() {
    for (String id : List.of("INC-1", "INC-2", "INC-3")) {
      // the stored timeline first: a line stored between the two reads (a late "notified") is then
      // only in the markdown, which holds every line read here, in order, whatever came after
      JsonArray stored = s.incident(id).getJsonArray("timeline");
      List<String> rows = rows(markdown(id));
      // the markdown reads in time order. The store keeps commit order, which differs when a
      // delivery stamped at 06:20 commits after the 06:45 resolution (the scenario's clock moved on
      // while the outbox drained); a stable sort by time keeps commit order within an instant
      List<JsonObject> byTime =
          stored.stream()
              .map(JsonObject.class::cast)
              .sorted(Comparator.comparing(e -> Instant.parse(e.getString("at"))))
              .toList();
      int at = -1;
      for (JsonObject e : byTime) {
        int found =
            indexOf(
                rows,
                "| " + e.getString("kind") + " | ",
                Postmortem.cell(e.getString("text")),
                at + 1);
        assertThat(found)
            .as(id + ": " + e + " after row " + at + " in\n" + String.join("\n", rows))
            .isGreaterThan(at);
        at = found;
      }
    }
  }

  private static int indexOf(List<String> rows, String kind, String text, int from) {
    for (int i = from; i < rows.size(); i++) {
      if (rows.get(i).contains(kind) && rows.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void jsonHasTheSameEntries() {
    HttpResponse<String> r = s.d.get("/api/v1/incidents/INC-1/timeline?format=json");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("id")).isEqualTo("INC-1");
    assertThat(body.getJsonArray("alerts")).hasSize(1);
    assertThat(
            body.getJsonArray("timeline").stream()
                .map(e -> ((JsonObject) e).getString("kind"))
                .toList())
        .containsSubsequence("opened", "runbook", "step", "runbook", "resolved");
  }

  @Test
  void anUnknownIncidentIs404() {
    HttpResponse<String> r = s.d.get("/api/v1/incidents/INC-99/timeline");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(r.body()).getString("error"))
        .isEqualTo("incident INC-99 does not exist");
  }

  @Test
  void anUnknownFormatIs400() {
    HttpResponse<String> r = s.d.get("/api/v1/incidents/INC-1/timeline?format=pdf");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error"))
        .isEqualTo("format: expected markdown or json, got \"pdf\"");
  }
}
