package dev.vigil.runbook.engine;

import dev.vigil.incident.IncidentId;

/**
 * Which runs {@link RunStore#list} returns: each non-null field must match; newest first, at most
 * {@code limit}. {@code status} is the stored status, so {@code RUNNING} includes runs whose
 * unfinished steps all wait (the API shows those as {@code waiting}).
 */
public record RunQuery(RunStatus status, String runbook, IncidentId incident, int limit) {
  public RunQuery {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
  }
}
