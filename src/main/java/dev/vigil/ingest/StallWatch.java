package dev.vigil.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The batches a {@link GroupCommitter} has handed to its store, each timed until the store answers
 * it: one the store has had for {@code after} is handed to {@code onStall}, once, and counted in
 * {@code vigil_commit_stalls_total} (ADR 0154).
 *
 * <p>A periodic check runs on the committer's context. Its timer belongs to that context and to no
 * deployment, so undeploying the HTTP servers at a stop does not cancel it while the committer
 * drains; {@link #stop} does, once it is drained. {@link #track} runs on any thread; everything
 * else, and each batch's {@link Watch#done}, on the committer's context.
 *
 * @param <T> what a batch is to the committer
 */
final class StallWatch<T> {
  /** A batch in the store, answered for good once {@link #done} (its outcome, or a stall). */
  static final class Watch<T> {
    final T batch;
    final long number;
    final long started;
    final Runnable settle;
    boolean done;

    Watch(T batch, long number, long started, Runnable settle) {
      this.batch = batch;
      this.number = number;
      this.started = started;
      this.settle = settle;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final Duration after;
  private final LongSupplier nanoTime;
  private final Counter stalls;
  private final Consumer<Watch<T>> onStall;
  private final Map<Long, Watch<T>> watched = new ConcurrentHashMap<>();
  private volatile long timer = -1;

  /**
   * Starts checking, every {@code after} / 4 and at most a second apart.
   *
   * @param nanoTime the monotonic clock batches are timed by ({@code System::nanoTime})
   */
  StallWatch(
      Vertx vertx,
      Context context,
      Duration after,
      LongSupplier nanoTime,
      MeterRegistry metrics,
      Consumer<Watch<T>> onStall) {
    this.vertx = vertx;
    this.context = context;
    this.after = after;
    this.nanoTime = nanoTime;
    this.onStall = onStall;
    this.stalls =
        Counter.builder("vigil_commit_stalls_total")
            .description(
                "Batches answered with a store error because the store had not finished them in"
                    + " time (ADR 0154)")
            .register(metrics);
    long every = Math.max(10, Math.min(1000, after.toMillis() / 4));
    context.runOnContext(v -> timer = vertx.setPeriodic(every, id -> check()));
  }

  /** How long a batch may take. */
  Duration after() {
    return after;
  }

  /** The clock's time now, in nanoseconds. */
  long now() {
    return nanoTime.getAsLong();
  }

  /** Times {@code batch} from now until {@link #ended}. */
  Watch<T> track(T batch, long number, Runnable settle) {
    Watch<T> w = new Watch<>(batch, number, now(), settle);
    watched.put(number, w);
    return w;
  }

  /** The store has answered {@code w}. */
  void ended(Watch<T> w) {
    watched.remove(w.number);
  }

  /** Hands each batch the store has had for {@link #after}, not done yet, to the stall handler. */
  private void check() {
    long now = now();
    for (Watch<T> w : watched.values()) {
      if (!w.done && now - w.started >= after.toNanos()) {
        w.done = true;
        stalls.increment();
        onStall.accept(w);
      }
    }
  }

  /** Checks now, on the committer's context (tests, after moving the clock). */
  Future<Void> checkNow() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(
        v -> {
          check();
          p.complete();
        });
    return p.future();
  }

  /** Stops checking. */
  void stop() {
    vertx.cancelTimer(timer);
  }
}
