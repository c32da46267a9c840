package dev.vigil.ha;

import dev.vigil.timer.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one loop that runs a process's background work: a declared list of {@link Sweep}s, each on
 * its own interval, plus the renewal of the {@code leader} lease, which is itself the sweep named
 * {@value #LEADERSHIP} and runs every {@link Leadership#renewEvery()} on every replica.
 *
 * <p>What the loop promises:
 *
 * <ul>
 *   <li>Every sweep runs once at {@link #start()}, then each run starts {@link Sweep#interval()}
 *       after the previous one started, or as soon as it ended if it took longer: a sweep never
 *       overlaps itself.
 *   <li>A {@link Sweep.Scope#LEADER} sweep runs only while the last renewal said this replica
 *       leads. On a follower it is dormant; the renewal that makes this replica leader runs it at
 *       once.
 *   <li>A failed run (a failed future or an exception) is logged with the sweep's name and counted;
 *       it never stops another sweep or the sweep's next run.
 *   <li>{@link #stop()} cancels every alarm; nothing starts afterwards.
 * </ul>
 *
 * Metrics per sweep: {@code vigil_sweep_runs_total{sweep,outcome}} ({@code ok}, {@code failed}) and
 * the summary {@code vigil_sweep_duration_seconds{sweep}}. Thread-safe.
 */
public final class Sweeps {
  private static final Logger log = LoggerFactory.getLogger(Sweeps.class);

  /** The name of the built-in sweep that renews the {@code leader} lease. */
  public static final String LEADERSHIP = "leadership";

  private final Leadership leadership;
  private final Scheduler scheduler;
  private final Clock clock;
  private final List<Slot> slots;
  private boolean started;
  private boolean stopped;
  private Promise<Void> idle;

  /** One sweep and its state; fields other than the meters are guarded by the loop. */
  private static final class Slot {
    final Sweep sweep;
    final Counter ok;
    final Counter failed;
    final Timer duration;
    Scheduler.Timer alarm;
    boolean running;
    boolean dormant;

    Slot(Sweep sweep, MeterRegistry metrics) {
      this.sweep = sweep;
      this.ok = runs(sweep, "ok", metrics);
      this.failed = runs(sweep, "failed", metrics);
      this.duration =
          Timer.builder("vigil_sweep_duration")
              .description("How long each run of a background sweep took")
              .tag("sweep", sweep.name())
              .register(metrics);
    }

    private static Counter runs(Sweep sweep, String outcome, MeterRegistry metrics) {
      return Counter.builder("vigil_sweep_runs_total")
          .description("Runs of each background sweep, by outcome")
          .tag("sweep", sweep.name())
          .tag("outcome", outcome)
          .register(metrics);
    }
  }

  /**
   * @param sweeps the background work, in the order each round starts it; names must be unique
   * @param scheduler where the alarms are set (the daemon's runs on Vert.x timers)
   */
  public Sweeps(
      List<Sweep> sweeps,
      Leadership leadership,
      Scheduler scheduler,
      Clock clock,
      MeterRegistry metrics) {
    this.leadership = leadership;
    this.scheduler = scheduler;
    this.clock = clock;
    List<Sweep> all = new ArrayList<>();
    all.add(Sweep.everyReplica(LEADERSHIP, leadership.renewEvery(), this::renewLeadership));
    all.addAll(sweeps);
    Set<String> names = new HashSet<>();
    for (Sweep s : all) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("two sweeps are named " + s.name());
      }
    }
    this.slots = all.stream().map(s -> new Slot(s, metrics)).toList();
  }

  /** The sweeps this loop runs, the leadership renewal first. */
  public List<Sweep> sweeps() {
    return slots.stream().map(s -> s.sweep).toList();
  }

  /** Runs every sweep now, and each again at its interval. Calling it twice does nothing. */
  public synchronized void start() {
    if (started || stopped) {
      return;
    }
    started = true;
    Instant now = clock.instant();
    for (Slot slot : slots) {
      arm(slot, now);
    }
  }

  /**
   * Cancels every alarm; no run starts afterwards. The future completes when the runs in flight
   * have ended.
   */
  public Future<Void> stop() {
    Promise<Void> done;
    boolean quiet;
    synchronized (this) {
      stopped = true;
      for (Slot slot : slots) {
        if (slot.alarm != null) {
          slot.alarm.cancel();
          slot.alarm = null;
        }
      }
      if (idle == null) {
        idle = Promise.promise();
      }
      done = idle;
      quiet = slots.stream().noneMatch(s -> s.running);
    }
    if (quiet) {
      done.tryComplete();
    }
    return done.future();
  }

  private Future<Boolean> renewLeadership() {
    return leadership
        .renew()
        .onSuccess(
            leads -> {
              if (leads) {
                wakeLeaderSweeps();
              }
            });
  }

  /** Leadership was gained (or kept): leader sweeps left dormant on a follower run now. */
  private synchronized void wakeLeaderSweeps() {
    Instant now = clock.instant();
    for (Slot slot : slots) {
      if (slot.dormant) {
        slot.dormant = false;
        arm(slot, now);
      }
    }
  }

  /** Sets the slot's next run (guarded by {@code this}). */
  private void arm(Slot slot, Instant at) {
    if (stopped) {
      return;
    }
    slot.alarm =
        scheduler.at(
            at,
            () -> {
              fire(slot);
              return Future.succeededFuture();
            });
  }

  private void fire(Slot slot) {
    synchronized (this) {
      slot.alarm = null;
      if (stopped || slot.running) {
        return;
      }
      if (slot.sweep.scope() == Sweep.Scope.LEADER && !leadership.isLeader()) {
        slot.dormant = true;
        return;
      }
      slot.running = true;
    }
    Instant began = clock.instant();
    long t0 = System.nanoTime();
    Future<?> run;
    try {
      run = slot.sweep.run();
      if (run == null) {
        run = Future.failedFuture(new NullPointerException("the sweep returned no future"));
      }
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(ar -> finished(slot, began, System.nanoTime() - t0, ar));
  }

  private void finished(Slot slot, Instant began, long nanos, AsyncResult<?> ar) {
    slot.duration.record(nanos, TimeUnit.NANOSECONDS);
    (ar.succeeded() ? slot.ok : slot.failed).increment();
    Instant next = began.plus(slot.sweep.interval());
    boolean wasStopped;
    Promise<Void> done = null;
    synchronized (this) {
      slot.running = false;
      wasStopped = stopped;
      if (stopped) {
        if (slots.stream().noneMatch(s -> s.running)) {
          done = idle;
        }
      } else if (slot.sweep.scope() == Sweep.Scope.LEADER && !leadership.isLeader()) {
        slot.dormant = true;
      } else {
        arm(slot, next);
      }
    }
    if (ar.failed()) {
      // the message only: with the store down every sweep fails each period
      (wasStopped ? log.atDebug().setCause(ar.cause()) : log.atWarn())
          .addKeyValue("sweep", slot.sweep.name())
          .addKeyValue("replica", leadership.replica().id())
          .log(
              "sweep {} failed{}: {}",
              slot.sweep.name(),
              wasStopped ? " while stopping" : " (tried again at " + next + ")",
              ar.cause().getMessage());
    }
    if (done != null) {
      done.tryComplete();
    }
  }
}
