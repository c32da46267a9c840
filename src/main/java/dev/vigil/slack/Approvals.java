package dev.vigil.slack;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Decides the approval a run waits for ({@code /vigil approve|reject}, the Approve and Reject
 * buttons); the run resumes (or fails) once the decision is stored. A run that does not exist or
 * waits for no approval fails with a {@link Refusal} saying so.
 */
@FunctionalInterface
public interface Approvals {
  /**
   * @param run a run id such as {@code RUN-7}
   */
  Future<RunSummary> decide(String run, boolean approve, String by);

  /**
   * Who may decide the step the run waits for (Slack user or group ids): the approvers it names, or
   * if it names none, the user group of the team on call now; empty when neither says anyone in
   * particular, or when the run waits for nothing (then {@link #decide} says so).
   */
  default Future<Optional<StepApprovers>> approvers(String run) {
    return Future.succeededFuture(Optional.empty());
  }

  /**
   * The approvers of one approval step; {@code source} says where the list comes from, for a
   * refusal.
   */
  record StepApprovers(String step, List<String> ids, String source) {
    public StepApprovers(String step, List<String> ids) {
      this(step, ids, "its approvers");
    }
  }

  Approvals NONE =
      (run, approve, by) ->
          Future.failedFuture(
              new Refusal(
                  "approvals cannot be decided from Slack: this Vigil has no runbook engine"));
}
