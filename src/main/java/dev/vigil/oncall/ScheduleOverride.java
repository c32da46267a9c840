package dev.vigil.oncall;

import java.time.Instant;

/**
 * An override: {@code team} is on call during {@code [from, until)} instead of the schedule ({@code
 * /vigil override eu 2h}). It is stored, expires on its own, and beats every window.
 *
 * @param id assigned by the store; 0 before it is stored
 * @param by who created it ({@code api:<name>}, {@code slack:U123})
 */
public record ScheduleOverride(
    long id,
    TeamId team,
    Instant from,
    Instant until,
    String by,
    String reason,
    Instant createdAt) {
  public boolean activeAt(Instant t) {
    return !t.isBefore(from) && t.isBefore(until);
  }
}
