package dev.vigil.escalation;

import dev.vigil.config.Durations;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.TimelineEvent;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * What moves an armed escalation besides a new page: its ack timer running out (the next level is
 * paged), an acknowledgement or resolution (it stops), and the incident being unacknowledged (it
 * resumes at the level it had reached).
 */
final class AckTimeouts {
  private final EscalationStore store;
  private final Supplier<TeamsFile> teams;
  private final EscalationSteps steps;
  private final EscalationAlarms alarms;
  private final Snoozes snoozes;
  private final Clock clock;

  AckTimeouts(
      EscalationStore store,
      Supplier<TeamsFile> teams,
      EscalationSteps steps,
      EscalationAlarms alarms,
      Snoozes snoozes,
      Clock clock) {
    this.store = store;
    this.teams = teams;
    this.steps = steps;
    this.alarms = alarms;
    this.snoozes = snoozes;
    this.clock = clock;
  }

  /**
   * A due ack timer: page the next level if the incident is still unacknowledged at the step the
   * timer was armed for.
   */
  Future<Void> fire(IncidentId id, int step) {
    alarms.fired(id);
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
                // escalation (or this alarm was armed from an older read). The stored state
                // decides: wait for it.
                if (s.status() == EscalationState.Status.SNOOZED) {
                  snoozes.add(id);
                }
                alarms.arm(s);
                return Future.succeededFuture();
              }
              return steps.incident(id).compose(inc -> timedOut(inc, s));
            });
  }

  private Future<Void> timedOut(Incident inc, EscalationState s) {
    IncidentId id = inc.id();
    if (inc.status() != IncidentStatus.TRIGGERED) {
      return steps.stopWith(s, inc.status().wire());
    }
    TeamsFile teams = this.teams.get();
    Policy policy = teams.escalation().policies().get(s.policy());
    if (policy == null) {
      return store
          .commit(
              s,
              EscalationPlanner.stop(s),
              List.of(
                  steps.event(
                      "escalation-stopped",
                      "policy " + s.policy() + " is no longer in teams.yaml; escalation stopped")),
              List.of(),
              clock.instant())
          .mapEmpty();
    }
    snoozes.remove(id);
    TimelineEvent why =
        s.status() == EscalationState.Status.SNOOZED
            ? steps.event(
                "escalation-snooze-ended",
                "the snooze ended and "
                    + EscalationPlanner.levelName(policy, s.step())
                    + " was not acknowledged")
            : steps.event(
                "ack-timeout",
                EscalationPlanner.levelName(policy, s.step())
                    + " was not acknowledged within "
                    + Durations.format(teams.escalation().level(policy, s.step()).ackTimeout()));
    return steps.advance(teams, inc, s, policy, List.of(why)).mapEmpty();
  }

  /** Stops an escalation after an acknowledgement or resolution; nothing if none is active. */
  Future<Void> halt(IncidentId id, String why) {
    alarms.cancel(id);
    snoozes.remove(id);
    return store
        .get(id)
        .compose(
            found ->
                found
                    .filter(EscalationState::isArmed)
                    .map(s -> steps.stopWith(s, why))
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
  Future<Void> resume(Incident inc, String by) {
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
                return steps
                    .apply(
                        List.of(
                            Transition.note(
                                inc.id(),
                                steps.event(
                                    "escalation-stopped",
                                    "the incident was unacknowledged, but policy "
                                        + s.policy()
                                        + " is no longer in teams.yaml; escalation stays stopped"))))
                    .mapEmpty();
              }
              Instant now = clock.instant();
              EscalationState next = EscalationPlanner.resume(s, now, teams, policy);
              TimelineEvent why =
                  steps.event(
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
                          alarms.arm(next);
                        }
                        return null;
                      });
            });
  }
}
