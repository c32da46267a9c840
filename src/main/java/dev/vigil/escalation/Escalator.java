package dev.vigil.escalation;

import dev.vigil.config.Durations;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.Stage;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import dev.vigil.timer.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves escalations forward: pages level 1 when an incident needs a human, arms a durable ack
 * timer, pages the next level when it fires, and stops on acknowledgement or resolution.
 *
 * <p>Order of one step, all in one store transaction: decide the targets (the team on call now, the
 * next one, or a named team), skip at once every level whose target has nobody on call or no
 * channel (writing the skip to the timeline), write the page intents to the outbox and the
 * timeline, and store the new step with its due time. Only after the commit is the in-memory alarm
 * armed, so a crash between the two loses nothing: {@link #start()} re-arms the stored due times,
 * and one that fell due while the daemon was down fires at once.
 *
 * <p>Memory holds only the alarms due within {@link #HORIZON} (overdue ones included); the store
 * holds all of them. A due time further out is left in the store, and a sweep, itself one alarm set
 * half a horizon before the earliest such due time, reads the rows due within the next horizon (by
 * the index on {@code due_at}) and arms them. So memory grows with the escalations due in the next
 * ten minutes, not with the open incidents, and every alarm is in memory at least half a horizon
 * before it is due.
 *
 * <p>The rules may be live (the daemon's, which a reload of teams.yaml replaces): each decision
 * reads them once, so a step never mixes two versions. An armed escalation keeps its stored policy
 * name, step and due time, and its next step follows the rules in force then.
 *
 * <p>Methods return futures and never block; they may be called from any thread or context.
 */
public final class Escalator {
  private static final Logger log = LoggerFactory.getLogger(Escalator.class);
  static final String ACTOR = "escalation";

  /**
   * How far ahead ack timers are held as in-memory alarms; later ones wait in the store for a
   * sweep.
   */
  public static final Duration HORIZON = Duration.ofMinutes(10);

  /** When a sweep could not read the store, the next try comes this much later. */
  static final Duration SWEEP_RETRY = Duration.ofSeconds(30);

  private final EscalationStore store;
  private final IncidentStore incidents;
  private final Supplier<TeamsFile> teams;
  private final Supplier<List<ScheduleOverride>> overrides;
  private final RunbookGate runbooks;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Consumer<List<NotificationIntent>> onIntents;
  private final Map<IncidentId, Scheduler.Timer> timers = new ConcurrentHashMap<>();

  /**
   * Incidents whose escalation is snoozed, so that a new alert ends the snooze without a store read
   * per alert: loaded from the store at start (a snooze may be due far beyond the horizon) and kept
   * by this process's own snoozes and alarms.
   */
  private final java.util.Set<IncidentId> snoozed = ConcurrentHashMap.newKeySet();

  /**
   * Replicas share the store: a snooze may have been made by another replica, so {@link #snoozed}
   * is only a hint and whether the incidents with new alerts are snoozed is asked of the store,
   * once per commit (see {@link #onEvents}).
   */
  private volatile boolean sharedStore;

  /**
   * The next sweep for due times beyond the horizon: at most one is set (guarded by {@code this}).
   */
  private Scheduler.Timer sweepTimer;

  private Instant sweepAt;
  private boolean stopped;

  /**
   * @param overrides the overrides in force (an in-memory snapshot)
   * @param onIntents called with the intents (pages) of a commit that enqueued some (wakes the
   *     notifier, counts pages)
   */
  public Escalator(
      EscalationStore store,
      IncidentStore incidents,
      TeamsFile teams,
      Supplier<List<ScheduleOverride>> overrides,
      RunbookGate runbooks,
      Scheduler scheduler,
      Clock clock,
      Consumer<List<NotificationIntent>> onIntents) {
    this(store, incidents, () -> teams, overrides, runbooks, scheduler, clock, onIntents);
  }

  /** Escalation by the teams and policies {@code teams} gives when each step is decided. */
  public Escalator(
      EscalationStore store,
      IncidentStore incidents,
      Supplier<TeamsFile> teams,
      Supplier<List<ScheduleOverride>> overrides,
      RunbookGate runbooks,
      Scheduler scheduler,
      Clock clock,
      Consumer<List<NotificationIntent>> onIntents) {
    this.store = store;
    this.incidents = incidents;
    this.teams = teams;
    this.overrides = overrides;
    this.runbooks = runbooks;
    this.scheduler = scheduler;
    this.clock = clock;
    this.onIntents = onIntents;
  }

  /**
   * Says that other replicas use the same store, so snoozes they make must be seen here: a new
   * alert in any incident whose escalation is armed ends a stored snooze, whoever made it (one
   * primary-key read per such change). Alone, this process made every snooze it must know of.
   */
  public void setSharedStore(boolean shared) {
    this.sharedStore = shared;
  }

  /**
   * Re-arms the stored ack timers due within the horizon (none is armed here yet; those already due
   * fire at once) and sets the sweep for later ones. Fails if the store cannot be read.
   */
  public Future<Integer> start() {
    return store
        .snoozed()
        .compose(
            ids -> {
              snoozed.addAll(ids);
              return sweep(false);
            })
        .map(
            n -> {
              log.atInfo().log(
                  "escalation: re-armed {} ack timer(s) due within {}; later ones are armed by a sweep as they come near",
                  n,
                  Durations.format(HORIZON));
              return n;
            });
  }

  /**
   * Arms the stored ack timers due within the horizon that this process has no alarm for: those
   * another replica armed (it may have died since), and sets the sweep for later ones. Every
   * replica holds an alarm for every armed escalation due within the horizon; when one fires, the
   * step is committed as a compare-and-set on the stored state, so exactly one replica pages.
   */
  public Future<Integer> adopt() {
    return sweep(false);
  }

  /**
   * Reads the armed escalations due by now + {@link #HORIZON}, arms those without an alarm here,
   * and sets the next sweep half a horizon before the earliest due time beyond it. A failed read is
   * logged and, when {@code retry}, tried again after {@link #SWEEP_RETRY} (the alarms already
   * armed keep firing meanwhile).
   */
  private Future<Integer> sweep(boolean retry) {
    Instant end = clock.instant().plus(HORIZON);
    Future<Integer> done =
        store
            .armedUntil(end)
            .compose(
                list -> {
                  int n = 0;
                  for (EscalationState st : list) {
                    // the stored state is the truth: a snooze another replica made (or ended) shows
                    // here too
                    if (st.status() == EscalationState.Status.SNOOZED) {
                      snoozed.add(st.incident());
                    } else {
                      snoozed.remove(st.incident());
                    }
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
          Instant again = clock.instant().plus(SWEEP_RETRY);
          log.atError()
              .setCause(e)
              .log(
                  "escalation: reading the ack timers due within {} failed (tried again at {}): {}",
                  Durations.format(HORIZON),
                  again,
                  e.getMessage());
          sweepAt(again);
          return Future.succeededFuture(0);
        });
  }

  /** Makes sure a sweep runs in time to arm an alarm due at {@code due}, beyond the horizon. */
  private void sweepFor(Instant due) {
    sweepAt(due.minus(HORIZON.dividedBy(2)));
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

  /**
   * Starts escalating the triggered incidents opened in the {@link
   * dev.vigil.ha.Replica#DECISION_LOOKBACK} before {@code before} that have neither an escalation
   * nor a note why not: the process that opened them died (or the store failed) between the
   * incident's commit and its escalation's. Run at start, and then every lease period by the leader
   * with {@code before} a lease back, so an incident being decided right now is not decided twice
   * (a second start would be a no-op anyway).
   */
  public Future<Integer> decideLost(Instant before) {
    return store
        .undecided(before.minus(dev.vigil.ha.Replica.DECISION_LOOKBACK), before)
        .compose(
            ids -> {
              if (ids.isEmpty()) {
                return Future.succeededFuture(0);
              }
              log.atInfo().log(
                  "escalation: deciding {} incident(s) whose escalation decision was lost in a crash",
                  ids.size());
              return openedAll(ids).map(ids.size());
            });
  }

  /** Cancels the in-memory alarms and the sweep (the stored due times stay for the next start). */
  public void stop() {
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

  /**
   * The ack timers held in memory now (the rest wait in the store): for tests and the benchmark.
   */
  public int alarmsInMemory() {
    return timers.size();
  }

  /**
   * The pipeline's escalation stage: the incidents the events opened start escalating together, in
   * one store transaction, from the events' data; then new alerts end snoozes, and acknowledgements
   * and resolutions stop escalations, in order.
   */
  public Stage stage() {
    return Stage.of("escalation", this::onEvents);
  }

  /** Reacts to committed incident events (see {@link #stage}). */
  public Future<Void> onEvents(List<IncidentEvent> events) {
    List<Incident> opened =
        events.stream()
            .filter(e -> e instanceof IncidentEvent.Opened)
            .map(e -> ((IncidentEvent.Opened) e).incident())
            .toList();
    // with replicas a snooze may have been made by another one: whether a new alert ends one is
    // asked
    // of the store, for the whole commit in one read (alone, the snoozed set here is complete)
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
    Future<java.util.Set<IncidentId>> snoozedElsewhere =
        ask.isEmpty()
            ? Future.succeededFuture(java.util.Set.of())
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
                      return Future.succeededFuture(java.util.Set.of());
                    });
    Future<Void> chain =
        opened.isEmpty()
            ? Future.succeededFuture()
            : openedIncidents(opened)
                .recover(
                    e -> {
                      log.atError()
                          .setCause(e)
                          .log(
                              "escalation: starting escalation for {} new incident(s) failed: {}",
                              opened.size(),
                              e.getMessage());
                      return Future.succeededFuture();
                    });
    chain = chain.compose(v -> snoozedElsewhere).mapEmpty();
    for (IncidentEvent c : events) {
      if (c instanceof IncidentEvent.AlertsChanged a && !a.firing().isEmpty()) {
        chain =
            chain.compose(
                v ->
                    !snoozed.contains(c.id()) && !snoozedElsewhere.result().contains(c.id())
                        ? Future.succeededFuture()
                        : wake(c.id())
                            .recover(
                                e -> {
                                  log.atError()
                                      .addKeyValue("incident", c.id().toString())
                                      .setCause(e)
                                      .log(
                                          "escalation: ending the snooze of {} after a new alert failed: {}",
                                          c.id(),
                                          e.getMessage());
                                  return Future.succeededFuture();
                                }));
        continue;
      }
      if (c instanceof IncidentEvent.Unacknowledged u) {
        chain =
            chain.compose(
                v ->
                    resume(u.incident(), u.by())
                        .recover(
                            e -> {
                              log.atError()
                                  .addKeyValue("incident", c.id().toString())
                                  .setCause(e)
                                  .log(
                                      "escalation: resuming the escalation of {} after it was unacknowledged failed: {}",
                                      c.id(),
                                      e.getMessage());
                              return Future.succeededFuture();
                            }));
        continue;
      }
      if (!(c instanceof IncidentEvent.Acknowledged) && !(c instanceof IncidentEvent.Resolved)) {
        continue;
      }
      String why = c instanceof IncidentEvent.Acknowledged ? "acknowledged" : "resolved";
      chain =
          chain.compose(
              v ->
                  halt(c.id(), why)
                      .recover(
                          e -> {
                            log.atError()
                                .addKeyValue("incident", c.id().toString())
                                .setCause(e)
                                .log(
                                    "escalation: reacting to {} of {} failed: {}",
                                    why,
                                    c.id(),
                                    e.getMessage());
                            return Future.succeededFuture();
                          }));
    }
    return chain;
  }

  /**
   * A new incident: escalate now unless it is recorded only, has no policy, or a runbook will try
   * first.
   */
  public Future<Void> opened(IncidentId id) {
    return openedAll(List.of(id));
  }

  private Future<Void> openedAll(List<IncidentId> ids) {
    if (teams.get().escalation().policies().isEmpty()) {
      return Future.succeededFuture(); // nothing to decide: no need to read them
    }
    List<Future<Optional<Incident>>> loads = ids.stream().map(incidents::get).toList();
    return Future.all(loads)
        .compose(
            v -> {
              List<Incident> found = new ArrayList<>();
              loads.forEach(f -> f.result().ifPresent(found::add));
              return openedIncidents(found);
            });
  }

  /**
   * Incidents just opened, as their commit left them: decided together, in one store transaction.
   */
  private Future<Void> openedIncidents(List<Incident> opened) {
    TeamsFile teams = this.teams.get();
    if (teams.escalation().policies().isEmpty()) {
      return Future
          .succeededFuture(); // escalation is not configured (no teams.yaml): incidents are only
      // recorded
    }
    List<Transition> decisions = new ArrayList<>();
    for (Incident inc : opened) {
      decideOpened(teams, inc).ifPresent(decisions::add);
    }
    return apply(decisions).mapEmpty();
  }

  private Optional<Transition> decideOpened(TeamsFile teams, Incident inc) {
    if (inc.dropped() || inc.status() != IncidentStatus.TRIGGERED) {
      return Optional.empty();
    }
    Optional<Policy> policy = teams.escalation().policyFor(inc.severity());
    if (policy.isEmpty()) {
      return Optional.of(
          Transition.note(
              inc.id(),
              event(
                  "not-paged",
                  "severity "
                      + inc.severity().wire()
                      + " is recorded only (escalation.bySeverity): nobody is paged")));
    }
    if (runbooks.willHandle(inc) && !teams.escalation().pagesDuringRunbook(inc.severity())) {
      return Optional.of(
          Transition.note(
              inc.id(),
              event("escalation-held", "a runbook will try first; escalation starts if it fails")));
    }
    return Optional.of(
        decide(teams, inc, null, policy.get(), List.of(), initial(inc, policy.get())));
  }

  /** The incident's runbook failed: escalate now if it is still open and not escalating. */
  public Future<Void> runbookFailed(IncidentId id) {
    return incident(id)
        .compose(
            inc ->
                store
                    .get(id)
                    .compose(
                        existing -> {
                          TeamsFile teams = this.teams.get();
                          Optional<Policy> policy = teams.escalation().policyFor(inc.severity());
                          if (existing.isPresent()
                              || inc.status() != IncidentStatus.TRIGGERED
                              || policy.isEmpty()) {
                            return Future.succeededFuture();
                          }
                          return begin(
                                  teams,
                                  inc,
                                  policy.get(),
                                  List.of(
                                      event(
                                          "escalation-started", "the runbook failed: escalating")))
                              .mapEmpty();
                        }));
  }

  /**
   * Pages the next level now, by hand. Fails with {@link IncidentException} (unknown or resolved
   * incident) or {@link EscalationException} (no level left, no policy).
   */
  public Future<EscalationState> escalateNow(IncidentId id, String by) {
    return incident(id)
        .compose(
            inc -> {
              if (inc.status() == IncidentStatus.RESOLVED) {
                return Future.failedFuture(
                    new IncidentException(
                        IncidentException.Reason.CONFLICT,
                        "incident " + id + " is resolved; there is nobody left to escalate to"));
              }
              TimelineEvent why =
                  new TimelineEvent(clock.instant(), "escalation-manual", by, "escalated by hand");
              return store
                  .get(id)
                  .compose(
                      existing -> {
                        TeamsFile teams = this.teams.get();
                        if (existing.isEmpty()) {
                          Optional<Policy> policy =
                              teams
                                  .escalation()
                                  .policyFor(inc.severity())
                                  .or(
                                      () ->
                                          Optional.ofNullable(
                                              teams.escalation().policies().get("default")));
                          if (policy.isEmpty()) {
                            return Future.failedFuture(
                                new EscalationException(
                                    "incident "
                                        + id
                                        + " has no escalation policy for severity "
                                        + inc.severity().wire()
                                        + " and there is no policy named default"));
                          }
                          return begin(teams, inc, policy.get(), List.of(why));
                        }
                        EscalationState s = existing.get();
                        Policy policy = teams.escalation().policies().get(s.policy());
                        if (policy
                            == null) { // removed from teams.yaml by a reload since this escalation
                          // started
                          return Future.failedFuture(
                              new EscalationException(
                                  "incident "
                                      + id
                                      + " escalates by policy "
                                      + s.policy()
                                      + ", which is no longer in teams.yaml; there is no level left"));
                        }
                        if (s.step() + 1 >= teams.escalation().steps(policy)) {
                          return Future.failedFuture(
                              new EscalationException(
                                  "incident "
                                      + id
                                      + " has been escalated through every level of policy "
                                      + s.policy()
                                      + "; there is no level left"));
                        }
                        return advance(teams, inc, s, policy, List.of(why))
                            .compose(
                                next ->
                                    next.map(Future::succeededFuture)
                                        .orElseGet(
                                            () ->
                                                Future.failedFuture(
                                                    new EscalationException(
                                                        "incident "
                                                            + id
                                                            + " was escalated by someone else"
                                                            + " at the same moment; look at its timeline and try again if needed"))));
                      });
            });
  }

  /**
   * Holds an active escalation until {@code until} ({@code /vigil snooze}): nothing is paged before
   * then (a later ack timer stays later); afterwards, unless someone acknowledged, the next level
   * is paged. A new alert in the incident ends the snooze at once. Fails with {@link
   * IncidentException} (unknown, acknowledged or resolved incident) or {@link EscalationException}
   * (nothing escalating).
   */
  public Future<EscalationState> snooze(IncidentId id, Instant until, String by) {
    return incident(id)
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
                        Instant due = s.dueAt().isAfter(until) ? s.dueAt() : until;
                        EscalationState next =
                            new EscalationState(
                                id,
                                s.policy(),
                                s.step(),
                                EscalationState.Status.SNOOZED,
                                due,
                                s.startedAt());
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
                                  arm(next);
                                  return Future.succeededFuture(next);
                                });
                      });
            });
  }

  /** A new alert arrived in a snoozed incident: the snooze ends and the held step fires now. */
  private Future<Void> wake(IncidentId id) {
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
              EscalationState next =
                  new EscalationState(
                      id, s.policy(), s.step(), EscalationState.Status.ACTIVE, now, s.startedAt());
              return store
                  .commit(
                      s,
                      next,
                      List.of(
                          event(
                              "escalation-snooze-ended",
                              "a new alert arrived: the snooze ends and escalation"
                                  + " resumes now")),
                      List.of(),
                      now)
                  .map(
                      ok -> {
                        if (ok) {
                          snoozed.remove(id);
                          arm(next);
                        }
                        return null;
                      });
            });
  }

  /** The current state, for the API. */
  public Future<Optional<EscalationState>> state(IncidentId id) {
    return store.get(id);
  }

  private EscalationState initial(Incident inc, Policy policy) {
    return new EscalationState(
        inc.id(), policy.name(), -1, EscalationState.Status.ACTIVE, null, clock.instant());
  }

  private Future<EscalationState> begin(
      TeamsFile teams, Incident inc, Policy policy, List<TimelineEvent> prefix) {
    EscalationState initial = initial(inc, policy);
    return commitOne(decide(teams, inc, null, policy, prefix, initial)).map(o -> o.orElse(initial));
  }

  private Future<Optional<EscalationState>> advance(
      TeamsFile teams,
      Incident inc,
      EscalationState from,
      Policy policy,
      List<TimelineEvent> prefix) {
    return commitOne(decide(teams, inc, from, policy, prefix, from));
  }

  /** Commits one transition; empty when it lost a race. */
  private Future<Optional<EscalationState>> commitOne(Transition t) {
    return apply(List.of(t)).map(list -> list.get(0));
  }

  /**
   * Commits decisions in one transaction, then arms the timers of those that took effect and wakes
   * the notifier. For each transition, in order: its new state, or empty when it lost a race.
   */
  private Future<List<Optional<EscalationState>>> apply(List<Transition> decisions) {
    if (decisions.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return store
        .commitAll(decisions, clock.instant())
        .map(
            oks -> {
              List<Optional<EscalationState>> out = new ArrayList<>();
              List<NotificationIntent> intents = new ArrayList<>();
              for (int i = 0; i < decisions.size(); i++) {
                Transition t = decisions.get(i);
                if (!oks.get(i) || t.next() == null) {
                  out.add(Optional.empty());
                  continue;
                }
                arm(t.next());
                intents.addAll(t.intents());
                log.atInfo()
                    .addKeyValue("incident", t.incident().toString())
                    .log(
                        "escalation: {} at step {} of policy {} ({})",
                        t.incident(),
                        t.next().step(),
                        t.next().policy(),
                        t.next().status().wire());
                out.add(Optional.of(t.next()));
              }
              if (!intents.isEmpty()) {
                onIntents.accept(intents);
              }
              return out;
            });
  }

  /**
   * Decides the first pageable step after {@code base.step()} now, by {@link EscalationPlanner}, to
   * be committed against {@code expected}: every level before it whose target has nobody on call or
   * no channel is skipped now, with a timeline line; past the last step the escalation is
   * exhausted.
   */
  private Transition decide(
      TeamsFile teams,
      Incident inc,
      EscalationState expected,
      Policy policy,
      List<TimelineEvent> prefix,
      EscalationState base) {
    Instant now = clock.instant();
    boolean triggered = inc.status() == IncidentStatus.TRIGGERED;
    EscalationPlanner.Plan plan =
        EscalationPlanner.next(base, triggered, now, teams, policy, overrides.get());
    List<TimelineEvent> events = new ArrayList<>(prefix);
    List<NotificationIntent> intents = new ArrayList<>();
    EscalationState next = plan.next();
    for (EscalationPlanner.LevelPlan level : plan.levels()) {
      Target target = level.level().target();
      if (level.targets().isEmpty()) {
        events.add(
            new TimelineEvent(
                now,
                "escalation-skipped",
                ACTOR,
                level.name()
                    + " (notify "
                    + target
                    + ") skipped: nobody is on call"
                    + (target instanceof Target.Next ? " next" : "")));
        continue;
      }
      for (TeamId t : level.noChannel()) {
        events.add(
            new TimelineEvent(
                now,
                "escalation-skipped",
                ACTOR,
                level.name()
                    + " (notify "
                    + target
                    + ") skipped team "
                    + t
                    + ": it has no Slack channel or PagerDuty routing key configured"));
      }
      for (Team t : level.paged()) {
        intents.add(page(inc, policy, level.step(), t));
        events.add(
            new TimelineEvent(
                now,
                "escalated",
                ACTOR,
                level.name()
                    + ": paging team "
                    + t.id()
                    + " (notify "
                    + target
                    + ", via "
                    + String.join(", ", t.channels().kinds())
                    + ")"
                    + (next.dueAt() == null
                        ? (triggered ? "; this is the last level" : "")
                        : "; next level in "
                            + Durations.format(level.level().ackTimeout())
                            + " unless acknowledged")));
      }
    }
    if (plan.paged().isEmpty()) {
      events.add(
          new TimelineEvent(
              now,
              "escalation-exhausted",
              ACTOR,
              "no level of policy " + policy.name() + " could be paged: nobody was notified"));
    }
    return new Transition(inc.id(), expected, next, events, intents);
  }

  /**
   * A due ack timer: page the next level if the incident is still unacknowledged at the step the
   * timer was armed for.
   */
  Future<Void> fire(IncidentId id, int step) {
    timers.remove(id);
    return store
        .get(id)
        .compose(
            found -> {
              if (found.isEmpty() || !found.get().isArmed() || found.get().step() != step) {
                return Future.succeededFuture();
              }
              EscalationState s = found.get();
              if (s.dueAt().isAfter(clock.instant())) {
                // the stored due time moved since this alarm was armed: another replica snoozed the
                // escalation
                // (or this alarm was armed from an older read). The stored state decides: wait for
                // it.
                if (s.status() == EscalationState.Status.SNOOZED) {
                  snoozed.add(id);
                }
                arm(s);
                return Future.succeededFuture();
              }
              return incident(id)
                  .compose(
                      inc -> {
                        if (inc.status() != IncidentStatus.TRIGGERED) {
                          return stopWith(s, inc.status().wire());
                        }
                        TeamsFile teams = this.teams.get();
                        Policy policy = teams.escalation().policies().get(s.policy());
                        if (policy == null) {
                          EscalationState stopped =
                              new EscalationState(
                                  id,
                                  s.policy(),
                                  s.step(),
                                  EscalationState.Status.STOPPED,
                                  null,
                                  s.startedAt());
                          return store
                              .commit(
                                  s,
                                  stopped,
                                  List.of(
                                      event(
                                          "escalation-stopped",
                                          "policy "
                                              + s.policy()
                                              + " is no longer in teams.yaml; escalation stopped")),
                                  List.of(),
                                  clock.instant())
                              .mapEmpty();
                        }
                        snoozed.remove(id);
                        TimelineEvent why =
                            s.status() == EscalationState.Status.SNOOZED
                                ? event(
                                    "escalation-snooze-ended",
                                    "the snooze ended and "
                                        + EscalationPlanner.levelName(policy, s.step())
                                        + " was not acknowledged")
                                : event(
                                    "ack-timeout",
                                    EscalationPlanner.levelName(policy, s.step())
                                        + " was not acknowledged within "
                                        + Durations.format(
                                            teams
                                                .escalation()
                                                .level(policy, s.step())
                                                .ackTimeout()));
                        return advance(teams, inc, s, policy, List.of(why)).mapEmpty();
                      });
            });
  }

  /** Stops an escalation after an acknowledgement or resolution; nothing if none is active. */
  private Future<Void> halt(IncidentId id, String why) {
    Scheduler.Timer t = timers.remove(id);
    if (t != null) {
      t.cancel();
    }
    snoozed.remove(id);
    return store
        .get(id)
        .compose(
            found ->
                found
                    .filter(EscalationState::isArmed)
                    .map(s -> stopWith(s, why))
                    .orElseGet(Future::succeededFuture));
  }

  /**
   * An acknowledged incident is triggered again: its escalation, stopped by the acknowledgement,
   * resumes at the level it had reached. That level was paged already (and PagerDuty notifies its
   * people again itself), so its ack timer starts anew from now; when it runs out, the next level
   * is paged. At the last level nothing is armed (the escalation is exhausted, as it would have
   * been). Nothing happens to an incident that was never escalating, or whose policy left
   * teams.yaml.
   */
  private Future<Void> resume(Incident inc, String by) {
    if (inc.status() != IncidentStatus.TRIGGERED) {
      return Future.succeededFuture();
    }
    return store
        .get(inc.id())
        .compose(
            found -> {
              if (found.isEmpty() || found.get().status() != EscalationState.Status.STOPPED) {
                return Future.succeededFuture();
              }
              EscalationState s = found.get();
              TeamsFile teams = this.teams.get();
              Policy policy = teams.escalation().policies().get(s.policy());
              if (policy == null) {
                return apply(
                        List.of(
                            Transition.note(
                                inc.id(),
                                event(
                                    "escalation-stopped",
                                    "the incident was unacknowledged, but policy "
                                        + s.policy()
                                        + " is no longer in teams.yaml; escalation stays stopped"))))
                    .mapEmpty();
              }
              Instant now = clock.instant();
              EscalationState next = EscalationPlanner.resume(s, now, teams, policy);
              TimelineEvent why =
                  event(
                      "escalation-resumed",
                      "unacknowledged by "
                          + by
                          + ": escalation resumes at "
                          + EscalationPlanner.levelName(policy, s.step())
                          + (next.dueAt() != null
                              ? "; next level in "
                                  + Durations.format(
                                      teams.escalation().level(policy, s.step()).ackTimeout())
                                  + " unless acknowledged"
                              : "; this is the last level"));
              return store
                  .commit(s, next, List.of(why), List.of(), now)
                  .map(
                      ok -> {
                        if (ok) {
                          arm(next);
                        }
                        return null;
                      });
            });
  }

  private Future<Void> stopWith(EscalationState s, String why) {
    EscalationState stopped =
        new EscalationState(
            s.incident(),
            s.policy(),
            s.step(),
            EscalationState.Status.STOPPED,
            null,
            s.startedAt());
    return store
        .commit(
            s,
            stopped,
            List.of(event("escalation-stopped", "escalation stopped: the incident was " + why)),
            List.of(),
            clock.instant())
        .mapEmpty();
  }

  private void arm(EscalationState s) {
    Scheduler.Timer old = timers.remove(s.incident());
    if (old != null) {
      old.cancel();
    }
    if (s.isArmed() && s.dueAt().isAfter(clock.instant().plus(HORIZON))) {
      sweepFor(s.dueAt()); // stays in the store until a sweep brings it within the horizon
    } else if (s.isArmed()) {
      timers.put(
          s.incident(),
          scheduler.at(
              s.dueAt(),
              () ->
                  fire(s.incident(), s.step())
                      .recover(
                          e -> {
                            // the stored state still says due: a sweep soon arms it again (on every
                            // replica, adopt() would too)
                            Instant again = clock.instant().plus(SWEEP_RETRY);
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

  private NotificationIntent page(Incident inc, Policy policy, int step, Team team) {
    int level = Math.min(step, policy.levels().size() - 1) + 1;
    JsonObject payload =
        new JsonObject()
            .put("incident", inc.id().toString())
            .put("title", inc.title())
            .put("severity", inc.severity().wire())
            .put("type", inc.type())
            .put("policy", policy.name())
            .put("step", step)
            .put("team", team.id().value());
    if (!team.channels().slackChannel().isEmpty()) {
      payload.put("slackChannel", team.channels().slackChannel());
    }
    return new NotificationIntent(
        "page:" + inc.id() + ":" + step + ":" + team.id(),
        NotificationIntent.Kind.PAGE,
        inc.id(),
        team.id(),
        level,
        team.channels().kinds(),
        payload.encode());
  }

  private TimelineEvent event(String kind, String text) {
    return new TimelineEvent(clock.instant(), kind, ACTOR, text);
  }

  private Future<Incident> incident(IncidentId id) {
    return incidents
        .get(id)
        .compose(
            o ->
                o.map(Future::succeededFuture)
                    .orElseGet(() -> Future.failedFuture(IncidentException.notFound(id))));
  }
}
