package dev.vigil.escalation;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Durable escalation state: one row per escalating incident, whose due time is its ack timer. */
public interface EscalationStore {

  Future<Optional<EscalationState>> get(IncidentId incident);

  /** Every escalation with an armed timer, soonest first: what a starting daemon re-arms. */
  Future<List<EscalationState>> armed();

  /**
   * Moves an escalation from {@code expected} (null: it must not exist yet) to {@code next}, appends
   * the timeline events to the incident and enqueues the intents (skipping keys already present),
   * all in one transaction. Completes with false, changing nothing, when the stored state is no
   * longer {@code expected} (another timer, replica or request moved it first).
   */
  Future<Boolean> commit(EscalationState expected, EscalationState next, List<TimelineEvent> events,
      List<NotificationIntent> intents, Instant now);
}
