package dev.vigil.runbook.action;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;

/**
 * Hands an incident over to people. In the daemon it is the escalator ({@code runFailed} → {@code
 * Escalator.runbookFailed}, {@code escalateNow} → {@code Escalator.escalateNow}); {@link
 * TimelineNotifications#escalation} is the stand-in that only records each request on the incident
 * timeline.
 */
public interface Escalation {

  /**
   * A run with {@code onFailure: escalate} failed or timed out: escalation starts (if it has not).
   */
  Future<Void> runFailed(IncidentId incident, String by, String reason);

  /** An {@code incident} step with {@code action: escalate}: move to the next level now. */
  Future<Void> escalateNow(IncidentId incident, String by, String reason);
}
