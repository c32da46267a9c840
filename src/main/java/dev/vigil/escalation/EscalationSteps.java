package dev.vigil.escalation;

import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.oncall.ScheduleOverride;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes escalation steps: decides them by {@link EscalationPlanner} at the clock's instant, commits
 * them (each a compare-and-set on the stored state, several in one transaction), then arms the
 * alarms of those that took effect and hands their page intents on. Only after the commit is the
 * in-memory alarm armed, so a crash between the two loses nothing.
 */
final class EscalationSteps {
  private static final Logger log = LoggerFactory.getLogger(Escalator.class);

  private final EscalationStore store;
  private final IncidentStore incidents;
  private final Supplier<List<ScheduleOverride>> overrides;
  private final EscalationAlarms alarms;
  private final Clock clock;
  private final Consumer<List<NotificationIntent>> onIntents;

  EscalationSteps(
      EscalationStore store,
      IncidentStore incidents,
      Supplier<List<ScheduleOverride>> overrides,
      EscalationAlarms alarms,
      Clock clock,
      Consumer<List<NotificationIntent>> onIntents) {
    this.store = store;
    this.incidents = incidents;
    this.overrides = overrides;
    this.alarms = alarms;
    this.clock = clock;
    this.onIntents = onIntents;
  }

  /**
   * Decides the first pageable step after {@code base.step()} now, by {@link EscalationPlanner}, to
   * be committed against {@code expected}: every level before it whose target has nobody on call or
   * no channel is skipped now, with a timeline line; past the last step the escalation is
   * exhausted.
   */
  Transition decide(
      TeamsFile teams,
      Incident inc,
      EscalationState expected,
      Policy policy,
      List<TimelineEvent> prefix,
      EscalationState base) {
    boolean triggered = inc.status() == IncidentStatus.TRIGGERED;
    EscalationPlanner.Plan plan =
        EscalationPlanner.next(base, triggered, clock.instant(), teams, policy, overrides.get());
    return Transitions.of(inc, expected, policy, prefix, plan);
  }

  /** A new escalation by {@code policy}, before its first step. */
  EscalationState initial(Incident inc, Policy policy) {
    return new EscalationState(
        inc.id(), policy.name(), -1, EscalationState.Status.ACTIVE, null, clock.instant());
  }

  /** Starts escalating {@code inc} by {@code policy} now: its first pageable level is paged. */
  Future<EscalationState> begin(
      TeamsFile teams, Incident inc, Policy policy, List<TimelineEvent> prefix) {
    EscalationState initial = initial(inc, policy);
    return commitOne(decide(teams, inc, null, policy, prefix, initial)).map(o -> o.orElse(initial));
  }

  /** Pages the next pageable level after {@code from}; empty when another step won the race. */
  Future<Optional<EscalationState>> advance(
      TeamsFile teams,
      Incident inc,
      EscalationState from,
      Policy policy,
      List<TimelineEvent> prefix) {
    return commitOne(decide(teams, inc, from, policy, prefix, from));
  }

  /** Stops an escalation after an acknowledgement or resolution ({@code why}). */
  Future<Void> stopWith(EscalationState s, String why) {
    return store
        .commit(
            s,
            EscalationPlanner.stop(s),
            List.of(event("escalation-stopped", "escalation stopped: the incident was " + why)),
            List.of(),
            clock.instant())
        .mapEmpty();
  }

  /** Commits one transition; empty when it lost a race. */
  Future<Optional<EscalationState>> commitOne(Transition t) {
    return apply(List.of(t)).map(list -> list.get(0));
  }

  /**
   * Commits decisions in one transaction, then arms the timers of those that took effect and wakes
   * the notifier. For each transition, in order: its new state, or empty when it lost a race.
   */
  Future<List<Optional<EscalationState>>> apply(List<Transition> decisions) {
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
                alarms.arm(t.next());
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

  /** A timeline line written by escalation now. */
  TimelineEvent event(String kind, String text) {
    return new TimelineEvent(clock.instant(), kind, Transitions.ACTOR, text);
  }

  /** The incident, or a failure with {@link IncidentException} when it does not exist. */
  Future<Incident> incident(IncidentId id) {
    return incidents
        .get(id)
        .compose(
            o ->
                o.map(Future::succeededFuture)
                    .orElseGet(() -> Future.failedFuture(IncidentException.notFound(id))));
  }
}
