package dev.vigil.runbook.action;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;

/**
 * Hands an incident over to people: [F2]'s escalator once it is bound in the daemon; until then
 * {@link TimelineNotifications#escalation} records the request on the incident timeline.
 */
public interface Escalation {

  /** Starts (or moves up) escalation of {@code incident}; {@code reason} goes to the timeline. */
  Future<Void> escalate(IncidentId incident, String by, String reason);
}
