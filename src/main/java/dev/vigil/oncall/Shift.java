package dev.vigil.oncall;

import java.time.Instant;

/** One occurrence of a coverage window: the half-open span {@code [start, end)} a team is on. */
public record Shift(TeamId team, Instant start, Instant end) {
  public boolean contains(Instant t) {
    return !t.isBefore(start) && t.isBefore(end);
  }
}
