package dev.vigil.stats;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the store knows about the incidents of a {@link StatsQuery}, read from incidents, outbox and
 * runs: enough to compute {@link Stats} without any in-memory counter, so the numbers survive
 * restarts.
 *
 * @param pagesPerTeam pages decided for these incidents, by the team paged
 * @param runs finished, non-dry runs for these incidents, by runbook
 */
public record StatsInput(
    List<IncidentTimes> incidents, Map<String, Long> pagesPerTeam, Map<String, RunTally> runs) {

  /**
   * One incident's milestones.
   *
   * @param resolvedBy who resolved it ({@code runbook:<name>} when a runbook did), or null
   * @param topPageLevel the highest escalation level paged for it (1 is the first), 0 if never
   *     paged
   */
  public record IncidentTimes(
      Instant openedAt,
      Instant acknowledgedAt,
      Instant resolvedAt,
      String resolvedBy,
      int topPageLevel) {

    /** Resolved by a runbook before any person acknowledged it. */
    public boolean autoResolved() {
      return resolvedAt != null
          && acknowledgedAt == null
          && resolvedBy != null
          && resolvedBy.startsWith("runbook:");
    }

    /**
     * Paged past the first level of its policy (an ack timer ran out, or someone escalated by
     * hand).
     */
    public boolean escalated() {
      return topPageLevel > 1;
    }
  }

  /** Finished runs of one runbook. */
  public record RunTally(long finished, long succeeded) {}
}
