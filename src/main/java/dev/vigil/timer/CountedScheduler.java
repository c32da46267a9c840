package dev.vigil.timer;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A {@link Scheduler} that counts its alarms armed and neither fired nor cancelled yet, for the
 * {@code vigil_timers_pending} gauge. Thread-safe, like the scheduler it wraps.
 */
public final class CountedScheduler implements Scheduler {
  private final Scheduler scheduler;
  private final AtomicInteger pending = new AtomicInteger();

  public CountedScheduler(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  public int pending() {
    return pending.get();
  }

  @Override
  public Timer at(Instant due, Supplier<Future<?>> task) {
    AtomicBoolean done = new AtomicBoolean();
    Runnable settle =
        () -> {
          if (done.compareAndSet(false, true)) {
            pending.decrementAndGet();
          }
        };
    pending.incrementAndGet();
    Timer t =
        scheduler.at(
            due,
            () -> {
              settle.run();
              return task.get();
            });
    return () -> {
      settle.run();
      t.cancel();
    };
  }
}
