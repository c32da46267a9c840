package dev.vigil.runbook.engine;

import dev.vigil.runbook.action.StepOutcome;
import java.time.Instant;

/**
 * What happens to a run, as {@link RunMachine#on} takes it. The first group comes from outside
 * (admission, actions, timers, people); the second is handed back by the engine once a write the
 * machine asked for has committed, and says what the write was for.
 */
public sealed interface RunEvent {

  /** A concurrency slot was granted here: the run starts, and its start is stored first. */
  record Start() implements RunEvent {}

  /** The store granted a slot and stored the run running with these times. */
  record Admitted(Instant startedAt, Instant deadline) implements RunEvent {}

  /** The run was read back running or waiting (a restart, or a takeover from another replica). */
  record Resume() implements RunEvent {}

  /** The run cannot start (its vars or key cannot be computed): it ends failed at once. */
  record Fail(String error) implements RunEvent {}

  /** Try {@code attempt} of a step ended; {@code jitter} in [0, 1) spreads a retry's delay. */
  record Outcome(String step, int attempt, StepOutcome outcome, double jitter)
      implements RunEvent {}

  /** Try {@code attempt} of a step ran out of its per-try timeout; {@code jitter} as above. */
  record TryTimedOut(String step, int attempt, double jitter) implements RunEvent {}

  /** A step's wake-up time came: a retry's backoff, a wait, or an approval's timeout. */
  record Wake(String step) implements RunEvent {}

  /** Someone approved or rejected a waiting approval step. */
  record Decision(String step, boolean approve, String by) implements RunEvent {}

  /** Cancelled by hand. */
  record Cancel(String by) implements RunEvent {}

  /** The run's own timeout came. */
  record TimedOut() implements RunEvent {}

  // ------------------------------------------------ handed back once the machine's write committed

  /** The run's start is stored: its timeout is armed and its first steps start. */
  record StartStored() implements RunEvent {}

  /** A try's start is stored: the try may be performed. */
  record TryStored(String step, int attempt) implements RunEvent {}

  /** A retry's backoff or a step's pause is stored: its wake-up may be armed. */
  record PauseStored(String step, Instant wakeAt) implements RunEvent {}

  /** A step's end (or skip) is stored: its dependants may start. */
  record StepStored(String step) implements RunEvent {}

  /** The cancelled steps of a run ending early are stored: the run's end is next. */
  record CancelsStored(RunStatus status, String why) implements RunEvent {}

  /** The run's end is stored: what follows from it may happen. */
  record EndStored(RunStatus status, String error) implements RunEvent {}
}
