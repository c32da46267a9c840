package dev.vigil.runbook.engine;

import dev.vigil.incident.IncidentId;
import dev.vigil.runbook.Rollout;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run as stored. It keeps the runbook's source text of the version it started with, so a reload
 * or a restart never changes a run under way.
 *
 * @param bindings the start bindings (alert, alerts, incident, team, vars) as plain JSON values
 * @param concurrencyKey the rendered {@code concurrency.key}, or null
 * @param deadline when the run times out (set when it starts running)
 * @param startedBy {@code auto}, or who started it by hand
 */
public record RunRecord(
    RunId id,
    IncidentId incident,
    String runbook,
    String version,
    String file,
    String source,
    Rollout.Mode mode,
    RunStatus status,
    String concurrencyKey,
    Map<String, Object> bindings,
    Instant createdAt,
    Instant startedAt,
    Instant endedAt,
    Instant deadline,
    String error,
    String startedBy,
    List<StepRun> steps) {

  public RunRecord {
    steps = List.copyOf(steps);
  }
}
