package dev.vigil.runbook.action;

import java.time.Instant;
import java.util.Map;

/** How one try of a step ended. */
public sealed interface StepOutcome {

  /** The try succeeded; {@code output} holds every field the kind declares. */
  record Done(Map<String, Object> output) implements StepOutcome {}

  /**
   * The try failed ({@code timedOut}: it ran out of time). The engine retries it while the step's
   * {@code retry.attempts} allow. {@code output} may be empty (nothing came back) or hold what did.
   */
  record Failed(String error, boolean timedOut, Map<String, Object> output)
      implements StepOutcome {}

  /**
   * The step pauses durably: the engine stores {@code wakeAt} before it arms the timer, and after a
   * restart waits only for what is left. At {@code wakeAt} the step succeeds ({@code failOnWake}
   * false, a {@code wait}) or fails with {@code wakeError} (an approval nobody answered). A null
   * {@code wakeAt} waits until something else (an approval decision) ends the step.
   */
  record Suspend(Instant wakeAt, boolean failOnWake, String wakeError) implements StepOutcome {}

  static StepOutcome done(Map<String, Object> output) {
    return new Done(output);
  }

  static StepOutcome failed(String error, Map<String, Object> output) {
    return new Failed(error, false, output);
  }

  static StepOutcome timedOut(String error, Map<String, Object> output) {
    return new Failed(error, true, output);
  }
}
