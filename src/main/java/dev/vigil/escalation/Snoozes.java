package dev.vigil.escalation;

import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.TimelineEvent;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snoozes ({@code /vigil snooze}): holding an armed escalation until a given time, and ending the
 * hold when a new alert arrives. The stored state is the snooze; this process also keeps the set of
 * incidents whose escalation is snoozed, so that a new alert ends a snooze without a store read per
 * alert: loaded from the store at start (a snooze may be due far beyond the horizon) and kept by
 * this process's own snoozes, alarms and sweeps. Thread-safe.
 */
final class Snoozes {
  private static final Logger log = LoggerFactory.getLogger(Escalator.class);

  private final EscalationStore store;
  private final EscalationSteps steps;
  private final EscalationAlarms alarms;
  private final Clock clock;
  private final Set<IncidentId> snoozed = ConcurrentHashMap.newKeySet();

  /**
   * Replicas share the store: a snooze may have been made by another replica, so {@link #snoozed}
   * is only a hint and whether the incidents with new alerts are snoozed is asked of the store,
   * once per commit (see {@link #snoozedElsewhere}).
   */
  private volatile boolean sharedStore;

  Snoozes(EscalationStore store, EscalationSteps steps, EscalationAlarms alarms, Clock clock) {
    this.store = store;
    this.steps = steps;
    this.alarms = alarms;
    this.clock = clock;
  }

  void setSharedStore(boolean shared) {
    this.sharedStore = shared;
  }

  /** Loads the snoozed incidents from the store (at start). */
  Future<Void> load() {
    return store.snoozed().map(ids -> snoozed.addAll(ids)).mapEmpty();
  }

  /** A stored state read by a sweep: whether it is snoozed is the truth, whoever made it. */
  void seen(EscalationState st) {
    if (st.status() == EscalationState.Status.SNOOZED) {
      snoozed.add(st.incident());
    } else {
      snoozed.remove(st.incident());
    }
  }

  void add(IncidentId id) {
    snoozed.add(id);
  }

  void remove(IncidentId id) {
    snoozed.remove(id);
  }

  boolean contains(IncidentId id) {
    return snoozed.contains(id);
  }

  /**
   * With replicas a snooze may have been made by another one: which incidents of the commit that
   * got new alerts, not known snoozed here, are snoozed in the store, for the whole commit in one
   * read (alone, the set here is complete). A failed read is logged and taken as none.
   */
  Future<Set<IncidentId>> snoozedElsewhere(List<IncidentEvent> events) {
    List<IncidentId> ask =
        !sharedStore
            ? List.of()
            : events.stream()
                .filter(
                    e ->
                        e instanceof IncidentEvent.AlertsChanged a
                            && !a.firing().isEmpty()
                            && !snoozed.contains(e.id()))
                .map(IncidentEvent::id)
                .distinct()
                .toList();
    return ask.isEmpty()
        ? Future.succeededFuture(Set.of())
        : store
            .snoozedAmong(ask)
            .recover(
                e -> {
                  log.atError()
                      .setCause(e)
                      .log(
                          "escalation: reading whether {} incident(s) with new alerts are snoozed failed: {}",
                          ask.size(),
                          e.getMessage());
                  return Future.succeededFuture(Set.of());
                });
  }

  /** See {@link Escalator#snooze}. */
  Future<EscalationState> snooze(IncidentId id, Instant until, String by) {
    return steps
        .incident(id)
        .compose(
            inc -> {
              if (inc.status() != IncidentStatus.TRIGGERED) {
                return Future.failedFuture(
                    new IncidentException(
                        IncidentException.Reason.CONFLICT,
                        "incident "
                            + id
                            + " is "
                            + inc.status().wire()
                            + "; its escalation has already stopped"));
              }
              return store
                  .get(id)
                  .compose(
                      found -> {
                        if (found.isEmpty() || !found.get().isArmed()) {
                          String why =
                              found
                                  .map(s -> "its escalation is " + s.status().wire())
                                  .orElse(
                                      "it is not escalating (no policy pages it yet,"
                                          + " or a runbook is trying first)");
                          return Future.failedFuture(
                              new EscalationException(
                                  "incident " + id + " cannot be snoozed: " + why));
                        }
                        EscalationState s = found.get();
                        Instant now = clock.instant();
                        EscalationState next = EscalationPlanner.snooze(s, until);
                        Instant due = next.dueAt();
                        TimelineEvent why =
                            new TimelineEvent(
                                now,
                                "escalation-snoozed",
                                by,
                                "escalation snoozed until "
                                    + until
                                    + (due.equals(until)
                                        ? ""
                                        : " (the next level was due later anyway, at " + due + ")")
                                    + "; a new alert ends the snooze");
                        return store
                            .commit(s, next, List.of(why), List.of(), now)
                            .compose(
                                ok -> {
                                  if (!ok) {
                                    return Future.failedFuture(
                                        new EscalationException(
                                            "incident "
                                                + id
                                                + " changed at the same moment (acknowledged,"
                                                + " escalated or snoozed by someone else); look at it and try again"));
                                  }
                                  snoozed.add(id);
                                  alarms.arm(next);
                                  return Future.succeededFuture(next);
                                });
                      });
            });
  }

  /** A new alert arrived in a snoozed incident: the snooze ends and the held step fires now. */
  Future<Void> wake(IncidentId id) {
    return store
        .get(id)
        .compose(
            found -> {
              if (found.isEmpty() || found.get().status() != EscalationState.Status.SNOOZED) {
                snoozed.remove(id);
                return Future.succeededFuture();
              }
              EscalationState s = found.get();
              Instant now = clock.instant();
              EscalationState next = EscalationPlanner.wake(s, now);
              return store
                  .commit(
                      s,
                      next,
                      List.of(
                          steps.event(
                              "escalation-snooze-ended",
                              "a new alert arrived: the snooze ends and escalation"
                                  + " resumes now")),
                      List.of(),
                      now)
                  .map(
                      ok -> {
                        if (ok) {
                          snoozed.remove(id);
                          alarms.arm(next);
                        }
                        return null;
                      });
            });
  }
}
