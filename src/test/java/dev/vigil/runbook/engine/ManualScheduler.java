package dev.vigil.runbook.engine;

import dev.vigil.timer.FakeClock;
import dev.vigil.timer.Scheduler;
import io.vertx.core.Future;
import java.util.function.Supplier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Timers that fire only when a test moves the {@link FakeClock}: {@link #advance} sets the clock
 * and runs every timer now due (the engine hops onto its own event loop from there).
 */
public final class ManualScheduler implements Scheduler {
  private final FakeClock clock;
  private final PriorityQueue<Entry> timers = new PriorityQueue<>(Comparator.comparing((Entry e) -> e.when).thenComparingLong(e -> e.seq));
  private long seq;

  private static final class Entry {
    final Instant when;
    final long seq;
    final Supplier<Future<?>> task;
    volatile boolean cancelled;

    Entry(Instant when, long seq, Supplier<Future<?>> task) {
      this.when = when;
      this.seq = seq;
      this.task = task;
    }
  }

  public ManualScheduler(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Timer at(Instant when, Supplier<Future<?>> task) {
    Entry e = new Entry(when, seq++, task);
    timers.add(e);
    return () -> e.cancelled = true;
  }

  /** Moves the clock by {@code d} and fires every timer due by then. */
  public void advance(Duration d) {
    advanceTo(clock.instant().plus(d));
  }

  public void advanceTo(Instant target) {
    if (target.isAfter(clock.instant())) {
      clock.set(target);
    }
    List<Entry> due = new ArrayList<>();
    synchronized (this) {
      while (!timers.isEmpty() && !timers.peek().when.isAfter(target)) {
        Entry e = timers.poll();
        if (!e.cancelled) {
          due.add(e);
        }
      }
    }
    due.forEach(e -> e.task.get());
  }

  /** True when a live timer is armed for exactly {@code when}. */
  public synchronized boolean armed(Instant when) {
    return timers.stream().anyMatch(e -> !e.cancelled && e.when.equals(when));
  }

  /** The earliest live timer, if any. */
  public synchronized Optional<Instant> nextDue() {
    return timers.stream().filter(e -> !e.cancelled).map(e -> e.when).min(Comparator.naturalOrder());
  }

  /** How long from now until the earliest live timer. */
  public Optional<Duration> untilNext() {
    return nextDue().map(t -> Duration.between(clock.instant(), t));
  }
}
