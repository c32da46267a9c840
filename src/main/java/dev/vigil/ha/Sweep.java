package dev.vigil.ha;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One piece of background work that {@link Sweeps} runs again and again: renewing leases, taking
 * over a dead replica's work, refreshing what other replicas wrote, deciding what a crash left
 * undecided. A sweep does its work once per {@link #run()} and says when it is done through the
 * returned future; it never schedules itself.
 */
public interface Sweep {

  /** Which replicas run a sweep. */
  enum Scope {
    /** Only the leader (the holder of the {@code leader} lease; alone on SQLite, the process). */
    LEADER,
    /** Every replica, leader or not. */
    EVERY_REPLICA
  }

  /** A short stable name, for logs and the {@code sweep} tag of the metrics. */
  String name();

  Scope scope();

  /**
   * How long from the start of one run to the start of the next. A run that takes longer delays the
   * next one: a sweep never overlaps itself.
   */
  Duration interval();

  /**
   * Does the work once; the future completes when it is done. A failure is logged and counted by
   * the loop, and the sweep runs again at its next interval. Must not block.
   */
  Future<?> run();

  /** A sweep every replica runs. */
  static Sweep everyReplica(String name, Duration interval, Supplier<Future<?>> run) {
    return new Of(name, Scope.EVERY_REPLICA, interval, run);
  }

  /** A sweep only the leader runs. */
  static Sweep leader(String name, Duration interval, Supplier<Future<?>> run) {
    return new Of(name, Scope.LEADER, interval, run);
  }

  /** A sweep made of its parts. */
  record Of(String name, Scope scope, Duration interval, Supplier<Future<?>> work)
      implements Sweep {
    public Of {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(scope, "scope");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("sweep " + name + ": interval must be positive");
      }
      Objects.requireNonNull(work, "work");
    }

    @Override
    public Future<?> run() {
      return work.get();
    }
  }
}
