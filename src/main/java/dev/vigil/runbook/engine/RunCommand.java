package dev.vigil.runbook.engine;

import dev.vigil.runbook.Step;
import dev.vigil.runbook.action.RenderedAction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link RunMachine} asks the engine to do, in order. A write ({@link SaveSteps}, {@link
 * SaveRun}) carries the event to hand back to the machine once it commits: whatever depends on a
 * transition follows from that event, so nothing takes effect before its transition is stored. A
 * write that fails stops the run in memory (it resumes from the store later) and hands nothing
 * back.
 */
public sealed interface RunCommand {

  /** Store these steps' new states; once all are committed, hand {@code then} back. */
  record SaveSteps(List<StepRun> steps, RunEvent then) implements RunCommand {
    public SaveSteps {
      steps = List.copyOf(steps);
    }
  }

  /** Store the run's own state; once committed, hand {@code then} back. */
  record SaveRun(
      RunStatus status,
      Instant startedAt,
      Instant endedAt,
      Instant deadline,
      String error,
      RunEvent then)
      implements RunCommand {}

  /**
   * Perform try {@code attempt} of a step; {@code timeout} is the per-try limit, which runs out at
   * {@code timesOutAt} (null without one).
   */
  record Perform(
      Step step,
      int attempt,
      RenderedAction action,
      Map<String, Object> bindings,
      Optional<Duration> timeout,
      Instant timesOutAt)
      implements RunCommand {}

  /** Arm (or re-arm) the step's wake-up timer. */
  record ArmWake(String step, Instant at) implements RunCommand {}

  /** Drop the step's wake-up timer. */
  record CancelWake(String step) implements RunCommand {}

  /** Arm the run's timeout. */
  record ArmRunTimeout(Instant at) implements RunCommand {}

  /** Tell the step's try in flight to stop, and forget it. */
  record CancelTry(String step) implements RunCommand {}

  /** Forget the step's try without telling it anything (a pause that ended). */
  record DropTry(String step) implements RunCommand {}

  /** The step ended with this status (for its span and duration). */
  record StepEnded(String step, StepStatus status, String error) implements RunCommand {}

  /** A line for the run's log; {@code step} and {@code attempt} may be null. */
  record Log(String step, Integer attempt, String text) implements RunCommand {}

  /**
   * The run ends: stop its timers and tries, free its concurrency slot. Comes right before the
   * {@link SaveRun} of its end.
   */
  record Halt(RunStatus status, String error) implements RunCommand {}

  /** The run's end is stored: its timeline line, its incident's outcome, the rollout guard. */
  record Finished(RunStatus status, String error) implements RunCommand {}
}
