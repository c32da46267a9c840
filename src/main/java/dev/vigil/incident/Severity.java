package dev.vigil.incident;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** PagerDuty's four severities, most urgent first. Lower-case on the wire. */
public enum Severity {
  CRITICAL,
  ERROR,
  WARNING,
  INFO;

  public static final List<String> NAMES = Arrays.stream(values()).map(Severity::wire).toList();

  public String wire() {
    return name().toLowerCase();
  }

  public static Optional<Severity> parse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    return Arrays.stream(values()).filter(v -> v.wire().equals(s)).findFirst();
  }
}
