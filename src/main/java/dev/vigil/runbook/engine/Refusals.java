package dev.vigil.runbook.engine;

import java.util.Map;
import java.util.Optional;

/** Why the engine refuses a decision or a cancel, as the API and chat commands show it. */
final class Refusals {
  private Refusals() {}

  /** A decision for a run this engine does not run: unknown, or not waiting. */
  static EngineException noApprovalIn(RunId id, Optional<RunRecord> stored) {
    return stored.isEmpty()
        ? notFound(id)
        : conflict(
            "run " + id + " is " + stored.get().status().wire() + " and waits for no approval");
  }

  /** A cancel of a run this engine does not run: unknown, finished, or run by another replica. */
  static EngineException cannotCancel(RunId id, Optional<RunRecord> stored) {
    if (stored.isEmpty()) {
      return notFound(id);
    }
    RunStatus s = stored.get().status();
    return conflict(
        s.finished()
            ? "run " + id + " is " + s.wire() + " already"
            : "run " + id + " is not running on this replica");
  }

  static EngineException finished(RunId id, RunStatus status) {
    return conflict("run " + id + " is " + status.wire() + " already");
  }

  /**
   * The approval step a decision goes to: {@code stepId}, or the first one waiting in graph order.
   * Throws NOT_FOUND for no such step, CONFLICT for a step that is not an approval waiting.
   */
  static StepRun waitingApproval(
      RunId id, Map<String, StepRun> steps, String stepId, StepDispatch kinds) {
    if (stepId != null && !steps.containsKey(stepId)) {
      throw new EngineException(
          EngineException.Reason.NOT_FOUND,
          "run "
              + id
              + " has no step \""
              + stepId
              + "\" (steps: "
              + String.join(", ", steps.keySet())
              + ")");
    }
    Optional<StepRun> waiting =
        steps.values().stream()
            .filter(s -> stepId == null || s.id().equals(stepId))
            .filter(s -> kinds.awaitsDecision(s.kind()) && s.status() == StepStatus.WAITING)
            .findFirst();
    if (waiting.isPresent()) {
      return waiting.get();
    }
    StepRun named = stepId == null ? null : steps.get(stepId);
    throw conflict(
        named == null
            ? "run " + id + " waits for no approval"
            : "step "
                + stepId
                + " of run "
                + id
                + (kinds.awaitsDecision(named.kind())
                    ? " is " + named.status().wire() + ", not waiting for a decision"
                    : " is a " + named.kind() + " step, not an approval"));
  }

  static EngineException notFound(RunId id) {
    return new EngineException(EngineException.Reason.NOT_FOUND, "run " + id + " does not exist");
  }

  private static EngineException conflict(String message) {
    return new EngineException(EngineException.Reason.CONFLICT, message);
  }
}
