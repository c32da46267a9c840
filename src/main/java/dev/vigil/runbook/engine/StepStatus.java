package dev.vigil.runbook.engine;

import java.util.Arrays;

/**
 * A step's status. {@code pending} with a wake-up time is a step waiting out a retry backoff;
 * {@code waiting} is a {@code wait} or an {@code approval}.
 */
public enum StepStatus {
  PENDING,
  RUNNING,
  WAITING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  SKIPPED,
  CANCELLED;

  public String wire() {
    return name().toLowerCase().replace('_', '-');
  }

  public static StepStatus parse(String s) {
    return Arrays.stream(values())
        .filter(v -> v.wire().equals(s))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown step status " + s));
  }

  public boolean finished() {
    return this == SUCCEEDED
        || this == FAILED
        || this == TIMED_OUT
        || this == SKIPPED
        || this == CANCELLED;
  }

  /** Failed in a way that fails the run (unless the step says {@code onFailure: continue}). */
  public boolean failure() {
    return this == FAILED || this == TIMED_OUT || this == CANCELLED;
  }
}
