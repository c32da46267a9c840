package dev.vigil.runbook.engine;

import dev.vigil.runbook.Step;
import dev.vigil.runbook.action.Attempt;
import dev.vigil.runbook.action.StepKind;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.action.StepOutcome;
import dev.vigil.runbook.action.StepServices;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What the engine asks of step kinds, in one place, answered by the {@link StepKinds} registry:
 * which kind performs a try, whether a step's timeout bounds each try, how a pause wakes after a
 * restart, which kinds take approval decisions, and a step's output over its kind's zero values.
 * Everything but {@link #perform} is pure.
 */
final class StepDispatch {
  private final StepKinds kinds;

  StepDispatch(StepKinds kinds) {
    this.kinds = kinds;
  }

  /** One try of a step by its kind; a missing kind or a throw is a failed try. */
  Future<StepOutcome> perform(Step s, Attempt attempt, StepServices services) {
    Optional<StepKind> kind = kinds.get(s.kind());
    try {
      return kind.isEmpty()
          ? Future.succeededFuture(
              StepOutcome.failed("no action for step kind " + s.kind(), Map.of()))
          : kind.get().perform(attempt, services);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The per-try timeout: none for the kinds that pause (their timeout is their wake-up). */
  Optional<Duration> tryTimeout(Step s) {
    return kinds.get(s.kind()).map(StepKind::timeoutPerTry).orElse(true)
        ? s.timeout()
        : Optional.empty();
  }

  /**
   * How a paused step wakes when the rule its try gave is gone (after a restart): by its kind (a
   * wait succeeds, an approval times out).
   */
  StepOutcome.Suspend wakeRule(Step s) {
    return kinds
        .get(s.kind())
        .map(StepKind::wakeAfterRestart)
        .orElse(new StepOutcome.Suspend(null, false, null));
  }

  /** Whether a person's decision ends a waiting step of {@code kind} (an approval). */
  boolean awaitsDecision(String kind) {
    return kinds.get(kind).map(StepKind::awaitsDecision).orElse(false);
  }

  /** A step's output over its kind's zero values, as later steps read it. */
  Map<String, Object> completeOutput(String kind, Map<String, Object> output) {
    return kinds.completeOutput(kind, output);
  }
}
