package dev.vigil.timer;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Runs work at an instant of the injected clock. The durable part of a timer is a row in the store
 * (an escalation's {@code due_at}); a Scheduler only holds the in-memory alarm that wakes it, so
 * everything armed is re-armed from the store after a restart.
 *
 * <p>Production uses {@link VertxScheduler}; tests use a scheduler whose clock they advance, so
 * timers fire without sleeping.
 */
public interface Scheduler {

  /** A pending alarm. Cancelling one that has fired, or twice, does nothing. */
  interface Timer {
    void cancel();
  }

  /**
   * Runs {@code task} at {@code due}, at once (asynchronously) if {@code due} has passed. A failure
   * of the returned future is logged by the scheduler; the task should already have handled it.
   */
  Timer at(Instant due, Supplier<Future<?>> task);
}
