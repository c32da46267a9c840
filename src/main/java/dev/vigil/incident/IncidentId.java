package dev.vigil.incident;

import java.util.Optional;

/** An incident's id: {@code INC-<n>}, short enough to type in Slack. */
public record IncidentId(long number) {
  public static Optional<IncidentId> parse(String s) {
    if (s == null || !s.matches("(?i)INC-[1-9][0-9]{0,17}")) {
      return Optional.empty();
    }
    return Optional.of(new IncidentId(Long.parseLong(s.substring(4))));
  }

  @Override
  public String toString() {
    return "INC-" + number;
  }
}
