package dev.vigil.runbook.engine;

import java.util.Arrays;

/**
 * A run's status as INTERFACES.md names it; {@code pending} also covers a run queued behind its
 * concurrency limit.
 */
public enum RunStatus {
  PENDING,
  RUNNING,
  WAITING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  CANCELLED;

  public String wire() {
    return name().toLowerCase().replace('_', '-');
  }

  public static RunStatus parse(String s) {
    return Arrays.stream(values())
        .filter(v -> v.wire().equals(s))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown run status " + s));
  }

  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == TIMED_OUT || this == CANCELLED;
  }
}
