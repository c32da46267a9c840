package dev.vigil.runbook;

import dev.vigil.config.Pos;
import dev.vigil.expr.Expression;
import dev.vigil.runbook.action.StepSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One step of a runbook: an action and the rules around it.
 *
 * @param needs ids of the steps that must finish first
 * @param when condition checked when the step is ready; false skips it
 * @param timeout per try; absent: bounded only by the run's timeout
 * @param onFailure {@code continue} lets dependants run and see the failure
 * @param onResume what to do when the process died while this step was running
 */
public record Step(
    String id,
    String description,
    List<String> needs,
    Optional<Expression> when,
    Optional<Duration> timeout,
    Retry retry,
    FailurePolicy onFailure,
    ResumePolicy onResume,
    StepSpec spec,
    Pos pos) {

  public Step {
    needs = List.copyOf(needs);
  }

  public String kind() {
    return spec.kind();
  }

  /**
   * Tries and the backoff between them: {@code attempts} counts every try, backoff doubles up to
   * the cap.
   */
  public record Retry(int attempts, Duration backoff, Duration maxBackoff) {
    public static final Retry NONE = new Retry(1, Duration.ofSeconds(1), Duration.ofSeconds(1));

    /** The delay before try {@code n + 1} (n ≥ 1) without jitter: backoff · 2^(n−1), capped. */
    public Duration delayAfter(int n) {
      long factor = 1L << Math.min(30, Math.max(0, n - 1));
      Duration d = backoff.multipliedBy(factor);
      return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
  }

  /** What a failure of this step means for the steps that need it. */
  public enum FailurePolicy {
    FAIL,
    CONTINUE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  /** What to do with this step when a run resumes after a crash while it was running. */
  public enum ResumePolicy {
    RETRY,
    FAIL;

    public String wire() {
      return name().toLowerCase();
    }
  }
}
