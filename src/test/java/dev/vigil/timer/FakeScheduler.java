package dev.vigil.timer;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A scheduler driven by a {@link FakeClock}: nothing fires until the test advances time, and then
 * every alarm due by the new time fires in due order, each at its own due instant, and the test
 * waits for its work to finish (a task that hops onto an event loop is waited for there), so alarms
 * armed by that work fire too when they are due by the new time. The only fake scheduler: unit
 * tests hand it to a component, daemon tests to {@code TestDaemon}. No sleeping; call from the test
 * thread only (it blocks).
 */
public final class FakeScheduler implements Scheduler {
  private record Alarm(Instant due, long seq, Supplier<Future<?>> task, boolean[] cancelled) {}

  private final FakeClock clock;
  private final List<Alarm> alarms = new ArrayList<>();
  private long seq;

  public FakeScheduler(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Timer at(Instant due, Supplier<Future<?>> task) {
    boolean[] cancelled = {false};
    alarms.add(new Alarm(due, seq++, task, cancelled));
    return () -> {
      synchronized (FakeScheduler.this) {
        cancelled[0] = true;
      }
    };
  }

  /** Alarms armed and neither fired nor cancelled. */
  public synchronized List<Instant> pending() {
    return alarms.stream().filter(a -> !a.cancelled[0]).map(Alarm::due).sorted().toList();
  }

  /** True when a live alarm is armed for exactly {@code when}. */
  public synchronized boolean armed(Instant when) {
    return alarms.stream().anyMatch(a -> !a.cancelled[0] && a.due.equals(when));
  }

  /** The earliest live alarm, if any. */
  public synchronized Optional<Instant> nextDue() {
    return alarms.stream()
        .filter(a -> !a.cancelled[0])
        .map(Alarm::due)
        .min(Comparator.naturalOrder());
  }

  /** How long from now until the earliest live alarm. */
  public Optional<Duration> untilNext() {
    return nextDue().map(t -> Duration.between(clock.instant(), t));
  }

  /** Fires what is due now (e.g. timers re-armed in the past after a restart). */
  public void runDue() {
    advanceTo(clock.instant());
  }

  public void advance(Duration d) {
    advanceTo(clock.instant().plus(d));
  }

  /** Moves the clock to {@code target}, firing every alarm due on the way at its own due time. */
  public void advanceTo(Instant target) {
    for (int fired = 0; ; fired++) {
      if (fired > 10_000) {
        throw new IllegalStateException(
            "more than 10000 alarms fired on the way to "
                + target
                + ": a timer re-arms itself in the past");
      }
      Optional<Alarm> next;
      synchronized (this) {
        next =
            alarms.stream()
                .filter(a -> !a.cancelled[0] && !a.due.isAfter(target))
                .min(Comparator.comparing(Alarm::due).thenComparingLong(Alarm::seq));
        next.ifPresent(alarms::remove);
      }
      if (next.isEmpty()) {
        break;
      }
      if (next.get().due.isAfter(clock.instant())) {
        clock.set(next.get().due);
      }
      await(next.get().task.get());
    }
    if (target.isAfter(clock.instant())) {
      clock.set(target);
    }
  }

  /** Waits for a future on the test thread. */
  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
