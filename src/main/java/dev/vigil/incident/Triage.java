package dev.vigil.incident;

import java.time.Instant;
import java.util.Map;

/**
 * Decides what a new incident is: its severity, type, owning team and whether it is only recorded.
 * Called inside the ingest transaction, so it must be fast, pure and non-blocking.
 */
public interface Triage {

  /**
   * @param team the owning team's id, or null when no team is known
   * @param drop true when the incident is stored but never paged or automated (heartbeats)
   */
  record Outcome(Severity severity, String type, String team, boolean drop) {}

  Outcome triage(Map<String, String> labels, Instant now);
}
