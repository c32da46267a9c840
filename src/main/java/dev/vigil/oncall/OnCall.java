package dev.vigil.oncall;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Who is on call at an instant.
 *
 * @param active the teams on call, first the one to page first; empty only when nothing covers the
 *     instant and there is no fallback team
 * @param fallback true when no window or override covers the instant and {@code fallbackTeam}
 *     answers
 * @param override the override in force, if any
 * @param next the next handoff, if one happens within the look-ahead (8 days)
 */
public record OnCall(
    Instant at,
    List<TeamId> active,
    boolean fallback,
    Optional<ScheduleOverride> override,
    Optional<Handoff> next) {
  public OnCall {
    active = List.copyOf(active);
  }

  public Optional<TeamId> first() {
    return active.isEmpty() ? Optional.empty() : Optional.of(active.get(0));
  }
}
