package dev.vigil.runbook.action;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;
import java.util.Map;

/**
 * Where runbook messages go: the notification outbox of [F2]/[F5] once it is bound in the daemon;
 * until then {@link TimelineNotifications} writes each intent to the incident timeline. Sending means
 * "stored to be delivered", not "delivered".
 */
public interface Notifications {

  /**
   * @param kind {@code slack}, {@code pagerduty} or {@code ops} (the ops channel)
   * @param target a Slack channel, a PagerDuty action, or empty for the default (the incident's team channel)
   * @param dedupKey makes a repeated intent (a step run again after a crash) harmless
   * @param approvalRun for an approval request, the run that waits: the Slack message carries
   *     Approve and Reject buttons for it; otherwise null
   */
  record Intent(IncidentId incident, String kind, String target, String text, String dedupKey, String approvalRun) {
    public Intent(IncidentId incident, String kind, String target, String text, String dedupKey) {
      this(incident, kind, target, text, dedupKey, null);
    }
  }

  /** Completes when the intent is stored; the map is the step's output (slack: channel, ts; pagerduty: dedupKey). */
  Future<Map<String, Object>> send(Intent intent);
}
