package dev.vigil.escalation;

import dev.vigil.config.Durations;
import dev.vigil.incident.IncidentId;
import dev.vigil.timer.Scheduler;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory ack timers of the escalations due within {@link Escalator#HORIZON} (overdue ones
 * included), and the sweep that arms later ones as they come near: one alarm, set half a horizon
 * before the earliest stored due time beyond the horizon, reads the rows due within the next
 * horizon (by the index on {@code due_at}), arms those it has no alarm for and sets itself again.
 * So every alarm is in memory at least half a horizon before it is due. Thread-safe.
 */
final class EscalationAlarms {
  private static final Logger log = LoggerFactory.getLogger(Escalator.class);

  private final EscalationStore store;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Consumer<EscalationState> seen;
  private final BiFunction<IncidentId, Integer, Future<Void>> fire;
  private final Map<IncidentId, Scheduler.Timer> timers = new ConcurrentHashMap<>();

  /**
   * The next sweep for due times beyond the horizon: at most one is set (guarded by {@code this}).
   */
  private Scheduler.Timer sweepTimer;

  private Instant sweepAt;
  private boolean stopped;

  /**
   * @param seen told each armed state a sweep reads (the stored state is the truth about snoozes)
   * @param fire the ack timer of an incident at a step ran out
   */
  EscalationAlarms(
      EscalationStore store,
      Scheduler scheduler,
      Clock clock,
      Consumer<EscalationState> seen,
      BiFunction<IncidentId, Integer, Future<Void>> fire) {
    this.store = store;
    this.scheduler = scheduler;
    this.clock = clock;
    this.seen = seen;
    this.fire = fire;
  }

  /**
   * Reads the armed escalations due by now + {@link Escalator#HORIZON}, arms those without an alarm
   * here, and sets the next sweep half a horizon before the earliest due time beyond it; completes
   * with how many it armed. A failed read is logged and, when {@code retry}, tried again after
   * {@link Escalator#SWEEP_RETRY} (the alarms already armed keep firing meanwhile).
   */
  Future<Integer> sweep(boolean retry) {
    Instant end = clock.instant().plus(Escalator.HORIZON);
    Future<Integer> done =
        store
            .armedUntil(end)
            .compose(
                list -> {
                  int n = 0;
                  for (EscalationState st : list) {
                    seen.accept(st);
                    if (!timers.containsKey(st.incident())) {
                      arm(st);
                      n++;
                    }
                  }
                  int armed = n;
                  return store
                      .firstDueAfter(end)
                      .map(
                          later -> {
                            later.ifPresent(this::sweepFor);
                            return armed;
                          });
                });
    if (!retry) {
      return done;
    }
    return done.recover(
        e -> {
          Instant again = clock.instant().plus(Escalator.SWEEP_RETRY);
          log.atError()
              .setCause(e)
              .log(
                  "escalation: reading the ack timers due within {} failed (tried again at {}): {}",
                  Durations.format(Escalator.HORIZON),
                  again,
                  e.getMessage());
          sweepAt(again);
          return Future.succeededFuture(0);
        });
  }

  /**
   * Holds the alarm of {@code s} when it is armed: in memory when due within the horizon, else in
   * the store until a sweep brings it within. Replaces the incident's alarm held before.
   */
  void arm(EscalationState s) {
    Scheduler.Timer old = timers.remove(s.incident());
    if (old != null) {
      old.cancel();
    }
    if (s.isArmed() && s.dueAt().isAfter(clock.instant().plus(Escalator.HORIZON))) {
      sweepFor(s.dueAt()); // stays in the store until a sweep brings it within the horizon
    } else if (s.isArmed()) {
      timers.put(
          s.incident(),
          scheduler.at(
              s.dueAt(),
              () ->
                  fire.apply(s.incident(), s.step())
                      .recover(
                          e -> {
                            // the stored state still says due: a sweep soon arms it again (on every
                            // replica, adopt() would too)
                            Instant again = clock.instant().plus(Escalator.SWEEP_RETRY);
                            log.atError()
                                .addKeyValue("incident", s.incident().toString())
                                .setCause(e)
                                .log(
                                    "escalation: ack timer of {} failed (tried again at {}): {}",
                                    s.incident(),
                                    again,
                                    e.getMessage());
                            sweepAt(again);
                            return Future.succeededFuture();
                          })));
    }
  }

  /** The incident's alarm fired: it is no longer held. */
  void fired(IncidentId id) {
    timers.remove(id);
  }

  /** Cancels the incident's alarm, if one is held. */
  void cancel(IncidentId id) {
    Scheduler.Timer t = timers.remove(id);
    if (t != null) {
      t.cancel();
    }
  }

  /** The alarms held in memory now. */
  int size() {
    return timers.size();
  }

  /** Cancels the alarms and the sweep (the stored due times stay for the next start). */
  void stop() {
    synchronized (this) {
      stopped = true;
      if (sweepTimer != null) {
        sweepTimer.cancel();
        sweepTimer = null;
        sweepAt = null;
      }
    }
    timers.values().forEach(Scheduler.Timer::cancel);
    timers.clear();
  }

  /** Makes sure a sweep runs in time to arm an alarm due at {@code due}, beyond the horizon. */
  private void sweepFor(Instant due) {
    sweepAt(due.minus(Escalator.HORIZON.dividedBy(2)));
  }

  private synchronized void sweepAt(Instant at) {
    if (stopped || sweepAt != null && !sweepAt.isAfter(at)) {
      return; // a sweep at or before then will see it (and set the next one)
    }
    if (sweepTimer != null) {
      sweepTimer.cancel();
    }
    sweepAt = at;
    Scheduler.Timer[] self = new Scheduler.Timer[1];
    self[0] =
        scheduler.at(
            at,
            () -> {
              synchronized (this) {
                if (sweepTimer != self[0]) {
                  return Future.succeededFuture(); // replaced by an earlier sweep meanwhile
                }
                sweepTimer = null;
                sweepAt = null;
              }
              return sweep(true);
            });
    sweepTimer = self[0];
  }
}
