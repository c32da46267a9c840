package dev.vigil.runbook.engine;

import java.util.Optional;

/** A run's id: {@code RUN-<n>}, short enough to type in Slack. */
public record RunId(long number) {
  public static Optional<RunId> parse(String s) {
    if (s == null || !s.matches("(?i)RUN-[1-9][0-9]{0,17}")) {
      return Optional.empty();
    }
    return Optional.of(new RunId(Long.parseLong(s.substring(4))));
  }

  @Override
  public String toString() {
    return "RUN-" + number;
  }
}
