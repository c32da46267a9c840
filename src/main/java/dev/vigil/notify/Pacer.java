package dev.vigil.notify;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Spaces calls out per lane (a Slack channel, a PagerDuty routing key): in each lane one call runs
 * at a time, and each starts at least {@code interval} after the previous one finished (or later,
 * after a {@link #pause}, e.g. a {@code Retry-After}). Work queued under a key that is still
 * waiting in its lane <em>coalesces</em>: the newer work replaces the older, and every caller gets
 * the newer one's result; so twenty updates to one Slack message in a burst become one or two
 * calls.
 *
 * <p>Thread-safe; work runs on a Vert.x event loop and must not block. Pacing is in real time (it
 * is about the remote side's clock, not the daemon's injected one).
 */
public final class Pacer {
  private final Vertx vertx;
  private final long intervalNanos;
  private final Map<String, Lane> lanes = new HashMap<>();

  private static final class Job {
    Supplier<Future<?>> work;
    final Promise<Object> done = Promise.promise();
  }

  private static final class Lane {
    final LinkedHashMap<Object, Job> queue = new LinkedHashMap<>();
    boolean busy;
    long nextStart = Long.MIN_VALUE;
  }

  public Pacer(Vertx vertx, Duration interval) {
    this.vertx = vertx;
    this.intervalNanos = interval.toNanos();
  }

  /**
   * Queues {@code work} in {@code lane}. With a non-null {@code key} it replaces work queued under
   * the same key that has not started yet; the future completes with the result of the work that
   * ran.
   */
  @SuppressWarnings("unchecked")
  public <T> Future<T> submit(String lane, Object key, Supplier<Future<T>> work) {
    Future<Object> result;
    synchronized (this) {
      Lane l = lanes.computeIfAbsent(lane, k -> new Lane());
      Object k = key == null ? new Object() : key;
      Job job = l.queue.get(k);
      if (job == null) {
        job = new Job();
        l.queue.put(k, job);
      }
      job.work = (Supplier<Future<?>>) (Supplier<?>) work;
      result = job.done.future();
    }
    pump(lane);
    return (Future<T>) result;
  }

  /** Holds the lane until at least {@code d} from now (a 429's {@code Retry-After}). */
  public synchronized void pause(String lane, Duration d) {
    Lane l = lanes.computeIfAbsent(lane, k -> new Lane());
    l.nextStart = Math.max(l.nextStart, System.nanoTime() + d.toNanos());
  }

  /** Calls waiting (not started) in a lane. */
  public synchronized int waiting(String lane) {
    Lane l = lanes.get(lane);
    return l == null ? 0 : l.queue.size();
  }

  private void pump(String lane) {
    long delayMillis;
    synchronized (this) {
      Lane l = lanes.get(lane);
      if (l == null || l.busy || l.queue.isEmpty()) {
        return;
      }
      l.busy = true;
      long now = System.nanoTime();
      delayMillis =
          l.nextStart == Long.MIN_VALUE
              ? 0
              : Math.max(0, (l.nextStart - now + 999_999) / 1_000_000);
    }
    vertx.setTimer(Math.max(1, delayMillis), t -> run(lane));
  }

  private void run(String lane) {
    Job job;
    synchronized (this) {
      Lane l = lanes.get(lane);
      Iterator<Job> it = l.queue.values().iterator();
      job = it.next();
      it.remove();
      l.nextStart = Math.max(l.nextStart, System.nanoTime() + intervalNanos);
    }
    Future<?> f;
    try {
      f = job.work.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(
        ar -> {
          synchronized (this) {
            Lane l = lanes.get(lane);
            l.busy = false;
            // measured from the end as well: the client may send later than we start it (the Slack
            // SDK's
            // first auth.test, its own queue, its wait on a Retry-After), and the remote side
            // counts arrivals
            l.nextStart = Math.max(l.nextStart, System.nanoTime() + intervalNanos);
            if (l.queue.isEmpty() && l.nextStart < System.nanoTime()) {
              lanes.remove(lane);
            }
          }
          if (ar.succeeded()) {
            job.done.complete(ar.result());
          } else {
            job.done.fail(ar.cause());
          }
          pump(lane);
        });
  }
}
