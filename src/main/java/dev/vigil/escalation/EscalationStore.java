package dev.vigil.escalation;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Durable escalation state: one row per escalating incident, whose due time is its ack timer. */
public interface EscalationStore {

  Future<Optional<EscalationState>> get(IncidentId incident);

  /** Every escalation with an armed timer, soonest first (the handoff digest lists them). */
  Future<List<EscalationState>> armed();

  /**
   * The escalations with an armed timer due at or before {@code until}, soonest first: the alarms a
   * process holds in memory (those due within its horizon, overdue ones included). Read by index.
   */
  Future<List<EscalationState>> armedUntil(Instant until);

  /** The earliest due time after {@code after} of an armed escalation, if any. Read by index. */
  Future<Optional<Instant>> firstDueAfter(Instant after);

  /**
   * Which of {@code incidents} have a snoozed escalation in the store (any number; read by primary
   * key).
   */
  Future<Set<IncidentId>> snoozedAmong(Collection<IncidentId> incidents);

  /** Every incident whose escalation is snoozed (few: snoozes are made by hand). */
  Future<Set<IncidentId>> snoozed();

  /**
   * Triggered incidents opened at or after {@code since} and before {@code before} that have no
   * escalation and no note saying why not: those whose escalation decision was lost in a crash (or
   * a store failure) right after their commit.
   */
  Future<List<IncidentId>> undecided(Instant since, Instant before);

  /**
   * Moves an escalation from {@code expected} (null: it must not exist yet) to {@code next},
   * appends the timeline events to the incident and enqueues the intents (skipping keys already
   * present), all in one transaction. Completes with false, changing nothing, when the stored state
   * is no longer {@code expected} (another timer, replica or request moved it first).
   */
  default Future<Boolean> commit(
      EscalationState expected,
      EscalationState next,
      List<TimelineEvent> events,
      List<NotificationIntent> intents,
      Instant now) {
    return commitAll(List.of(new Transition(next.incident(), expected, next, events, intents)), now)
        .map(ok -> ok.get(0));
  }

  /**
   * Commits several transitions in one transaction (one commit of the ingest can open hundreds of
   * incidents: one transaction each would starve the single SQLite writer). Each transition is
   * compared-and-set on its own; the list says, in order, which took effect. A transition without a
   * next state only appends its events, and always takes effect.
   */
  Future<List<Boolean>> commitAll(List<Transition> transitions, Instant now);
}
