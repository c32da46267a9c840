package dev.vigil.incident;

import java.util.Arrays;
import java.util.Optional;

/** An incident's lifecycle: triggered, then acknowledged by a person, then resolved. */
public enum IncidentStatus {
  TRIGGERED,
  ACKNOWLEDGED,
  RESOLVED;

  public String wire() {
    return name().toLowerCase();
  }

  public static Optional<IncidentStatus> parse(String s) {
    return Arrays.stream(values()).filter(v -> v.wire().equals(s)).findFirst();
  }

  public boolean isOpen() {
    return this != RESOLVED;
  }
}
