package dev.vigil.runbook.engine;

import dev.vigil.alert.Alert;
import dev.vigil.expr.Bindings;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.Template;
import dev.vigil.expr.Values;
import dev.vigil.incident.Incident;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run about to be stored: its start bindings and concurrency key computed from the runbook and
 * the incident, every step pending. {@code error} says why it cannot start, when the vars or the
 * key cannot be computed (it is stored, then ends failed at once).
 */
record NewRun(RunRecord record, String error) {

  static NewRun of(
      Runbook rb, Incident incident, List<Alert> as, Rollout.Mode mode, String by, Instant now) {
    Map<String, Object> base = new LinkedHashMap<>();
    base.put(
        "alert",
        as.isEmpty()
            ? Map.of(
                "labels",
                incident.labels(),
                "annotations",
                Map.of(),
                "status",
                "firing",
                "startsAt",
                "",
                "fingerprint",
                "")
            : Bindings.alert(as.get(0)));
    base.put("alerts", Bindings.alerts(as));
    base.put("incident", Bindings.incident(incident));
    base.put("team", Bindings.team(incident.team(), incident.team(), ""));
    Map<String, Object> start;
    String key = null;
    String error = null;
    try {
      start = rb.startBindings(base);
      if (rb.concurrency().isPresent()) {
        key = rb.name() + "/" + rb.concurrency().get().key().render(start, Template.Insertion.TEXT);
      }
    } catch (EvalException e) {
      start = new LinkedHashMap<>(base);
      start.put("vars", Map.of());
      start.put("steps", Map.of());
      error = "vars or concurrency key cannot be computed: " + e.getMessage();
    }
    start.remove("steps");
    List<StepRun> steps =
        rb.stepsInOrder().stream().map(s -> StepRun.pending(s.id(), s.kind())).toList();
    RunRecord record =
        new RunRecord(
            null,
            incident.id(),
            rb.name(),
            rb.version(),
            rb.file().toString(),
            rb.source(),
            mode,
            RunStatus.PENDING,
            key,
            plainMap(start),
            now,
            null,
            null,
            null,
            null,
            by,
            steps);
    return new NewRun(record, error);
  }

  /** The record as stored, with the id the store gave it. */
  RunRecord withId(RunId id) {
    RunRecord r = record;
    return new RunRecord(
        id,
        r.incident(),
        r.runbook(),
        r.version(),
        r.file(),
        r.source(),
        r.mode(),
        r.status(),
        r.concurrencyKey(),
        r.bindings(),
        r.createdAt(),
        r.startedAt(),
        r.endedAt(),
        r.deadline(),
        r.error(),
        r.startedBy(),
        r.steps());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> plainMap(Map<String, Object> m) {
    return (Map<String, Object>) Values.plain(m);
  }
}
