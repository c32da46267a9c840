package dev.vigil.runbook.action;

import java.time.Instant;

/**
 * Timers for runs: retries, waits, per-try and run timeouts, check intervals. The engine uses
 * {@code VertxScheduler} (Vert.x timers against the injected clock); tests use a fake one that moves
 * time by hand, so no test sleeps.
 *
 * <p>The task runs on whatever thread the implementation chooses; callers hop back onto their own
 * context themselves.
 */
public interface Scheduler {

  /** Runs {@code task} once at {@code when} (at once if it is past). */
  Timer at(Instant when, Runnable task);

  /** A timer that can be cancelled; cancelling a timer that fired does nothing. */
  interface Timer {
    void cancel();
  }
}
