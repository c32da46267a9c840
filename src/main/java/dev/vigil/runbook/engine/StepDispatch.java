package dev.vigil.runbook.engine;

import dev.vigil.runbook.Step;
import dev.vigil.runbook.action.Action;
import dev.vigil.runbook.action.Attempt;
import dev.vigil.runbook.action.StepOutcome;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the engine knows about particular step kinds, in one place: which action performs a
 * kind, which kinds pause (and so have no per-try timeout), what a pause does when it wakes after a
 * restart, and which kind takes approval decisions.
 */
final class StepDispatch {
  private final Map<String, Action> actions;

  StepDispatch(List<Action> actions) {
    Map<String, Action> a = new HashMap<>();
    actions.forEach(x -> a.put(x.kind(), x));
    this.actions = Map.copyOf(a);
  }

  /** One try of a step by its kind's action; a missing action or a throw is a failed try. */
  Future<StepOutcome> perform(Attempt attempt) {
    String kind = attempt.step().kind();
    Action a = actions.get(kind);
    try {
      return a == null
          ? Future.succeededFuture(StepOutcome.failed("no action for step kind " + kind, Map.of()))
          : a.perform(attempt);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The per-try timeout: none for the kinds that pause (their timeout is their wake-up). */
  static Optional<Duration> tryTimeout(Step s) {
    return s.kind().equals("wait") || s.kind().equals("approval") ? Optional.empty() : s.timeout();
  }

  /**
   * After a restart the wake rule is known from the kind: a wait succeeds, an approval times out.
   */
  static StepOutcome.Suspend wakeRule(Step s) {
    return isApproval(s.kind())
        ? new StepOutcome.Suspend(null, true, "no decision within the approval's timeout")
        : new StepOutcome.Suspend(null, false, null);
  }

  /** True for the kind that waits for an approve or reject decision. */
  static boolean isApproval(String kind) {
    return kind.equals("approval");
  }
}
