package dev.vigil.escalation;

import dev.vigil.config.Durations;
import dev.vigil.ha.Replica;
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
import dev.vigil.timer.Scheduler;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * <p>The parts, each with one responsibility: {@link EscalationPlanner} decides (pure), {@link
 * Transitions} words a decision as timeline lines and page intents (pure), {@link EscalationSteps}
 * commits decisions and arms what they armed, {@link EscalationAlarms} holds the alarms and the
 * horizon sweep, {@link AckTimeouts} is what an ack timer running out, an acknowledgement and an
 * unacknowledgement do, and {@link Snoozes} holds and wakes snoozes. This class is their entry: the
 * pipeline stage, start and stop, and the requests of people and runbooks.
 *
 * <p>Methods return futures and never block; they may be called from any thread or context.
 */
public final class Escalator {
  private static final Logger log = LoggerFactory.getLogger(Escalator.class);

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
  private final RunbookGate runbooks;
  private final Clock clock;
  private final EscalationAlarms alarms;
  private final EscalationSteps steps;
  private final Snoozes snoozed;
  private final AckTimeouts timeouts;

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
    this.runbooks = runbooks;
    this.clock = clock;
    this.alarms =
        new EscalationAlarms(store, scheduler, clock, this::sweptState, this::ackTimedOut);
    this.steps = new EscalationSteps(store, incidents, overrides, alarms, clock, onIntents);
    this.snoozed = new Snoozes(store, steps, alarms, clock);
    this.timeouts = new AckTimeouts(store, teams, steps, alarms, snoozed, clock);
  }

  /** A stored state a sweep read: the snoozes follow it. */
  private void sweptState(EscalationState st) {
    snoozed.seen(st);
  }

  /** An armed alarm went off. */
  private Future<Void> ackTimedOut(IncidentId id, int step) {
    return timeouts.fire(id, step);
  }

  /**
   * Says that other replicas use the same store, so snoozes they make must be seen here: a new
   * alert in any incident whose escalation is armed ends a stored snooze, whoever made it (one
   * primary-key read per such change). Alone, this process made every snooze it must know of.
   */
  public void setSharedStore(boolean shared) {
    snoozed.setSharedStore(shared);
  }

  /**
   * Re-arms the stored ack timers due within the horizon (none is armed here yet; those already due
   * fire at once) and sets the sweep for later ones. Fails if the store cannot be read.
   */
  public Future<Integer> start() {
    return snoozed
        .load()
        .compose(v -> alarms.sweep(false))
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
    return alarms.sweep(false);
  }

  /**
   * Starts escalating the triggered incidents opened in the {@link Replica#DECISION_LOOKBACK}
   * before {@code before} that have neither an escalation nor a note why not: the process that
   * opened them died (or the store failed) between the incident's commit and its escalation's. Run
   * at start, and then every lease period by the leader with {@code before} a lease back, so an
   * incident being decided right now is not decided twice (a second start would be a no-op anyway).
   */
  public Future<Integer> decideLost(Instant before) {
    if (teams.get().escalation().policies().isEmpty()) {
      // escalation is not configured: nothing would be decided, so nothing is read (every
      // incident of the lookback would be "undecided", and read again at every sweep)
      return Future.succeededFuture(0);
    }
    return store
        .undecided(before.minus(Replica.DECISION_LOOKBACK), before)
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
    alarms.stop();
  }

  /**
   * The ack timers held in memory now (the rest wait in the store): for tests and the benchmark.
   */
  public int alarmsInMemory() {
    return alarms.size();
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
    Future<Set<IncidentId>> snoozedElsewhere = snoozed.snoozedElsewhere(events);
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
                        : snoozed
                            .wake(c.id())
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
                    timeouts
                        .resume(u.incident(), u.by())
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
                  timeouts
                      .halt(c.id(), why)
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
    return steps.apply(decisions).mapEmpty();
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
              steps.event(
                  "not-paged",
                  "severity "
                      + inc.severity().wire()
                      + " is recorded only (escalation.bySeverity): nobody is paged")));
    }
    if (runbooks.willHandle(inc) && !teams.escalation().pagesDuringRunbook(inc.severity())) {
      return Optional.of(
          Transition.note(
              inc.id(),
              steps.event(
                  "escalation-held", "a runbook will try first; escalation starts if it fails")));
    }
    return Optional.of(
        steps.decide(teams, inc, null, policy.get(), List.of(), steps.initial(inc, policy.get())));
  }

  /** The incident's runbook failed: escalate now if it is still open and not escalating. */
  public Future<Void> runbookFailed(IncidentId id) {
    return steps
        .incident(id)
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
                          return steps
                              .begin(
                                  teams,
                                  inc,
                                  policy.get(),
                                  List.of(
                                      steps.event(
                                          "escalation-started", "the runbook failed: escalating")))
                              .mapEmpty();
                        }));
  }

  /**
   * Pages the next level now, by hand. Fails with {@link IncidentException} (unknown or resolved
   * incident) or {@link EscalationException} (no level left, no policy).
   */
  public Future<EscalationState> escalateNow(IncidentId id, String by) {
    return steps
        .incident(id)
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
                          return steps.begin(teams, inc, policy.get(), List.of(why));
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
                        return steps
                            .advance(teams, inc, s, policy, List.of(why))
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
    return snoozed.snooze(id, until, by);
  }

  /** The current state, for the API. */
  public Future<Optional<EscalationState>> state(IncidentId id) {
    return store.get(id);
  }
}
