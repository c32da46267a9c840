package dev.vigil.runbook.action;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Optional;

/**
 * Where runbook messages and pages go: the notification outbox, delivered by the same dispatcher,
 * retries, circuit breakers and fallback as escalation pages (in the daemon, {@code
 * RunbookMessages}); {@link TimelineNotifications} is the stand-in that only writes to the incident
 * timeline.
 *
 * <p>{@link #send} means "stored to be delivered" (approval requests, the rollout guard's message:
 * the run does not wait for Slack). {@link #post} and {@link #page} wait until the outbox has
 * settled the intent, so a step's output says what was delivered.
 */
public interface Notifications {

  /**
   * @param kind {@code slack} or {@code ops} (the ops channel)
   * @param target a Slack channel, or empty for the default (the incident's team channel)
   * @param dedupKey makes a repeated intent (a step run again after a crash) harmless
   * @param approvalRun for an approval request, the run that waits: the Slack message carries
   *     Approve and Reject buttons for it; otherwise null
   */
  record Intent(
      IncidentId incident,
      String kind,
      String target,
      String text,
      String dedupKey,
      String approvalRun) {
    public Intent(IncidentId incident, String kind, String target, String text, String dedupKey) {
      this(incident, kind, target, text, dedupKey, null);
    }
  }

  /**
   * A PagerDuty event a runbook step asks for, about its incident (PagerDuty's {@code dedup_key} is
   * the incident id), to the routing key of {@code team} or, when empty, of the incident's team.
   *
   * @param action {@code trigger}, {@code acknowledge} or {@code resolve}
   * @param summary for a trigger, replaces the incident's summary
   * @param severity for a trigger, replaces the incident's severity
   * @param dedupKey the outbox key: a step run again after a crash sends one event
   */
  record Page(
      IncidentId incident,
      String action,
      Optional<String> summary,
      Optional<String> severity,
      Optional<String> team,
      String dedupKey) {}

  /** Completes when the intent is stored; the map is the channel it was stored for. */
  Future<Map<String, Object>> send(Intent intent);

  /**
   * A {@code slack} step's message: stored, then waited for until delivered. Completes with the
   * step's output ({@code channel}, {@code channelId}, {@code ts}); fails saying why the message
   * was not delivered.
   */
  default Future<Map<String, Object>> post(Intent intent) {
    return send(intent);
  }

  /**
   * A {@code pagerduty} step's event: stored, then waited for until PagerDuty took it. Completes
   * with the step's output ({@code dedupKey}, as PagerDuty returned it); fails saying why nothing
   * was paged.
   */
  Future<Map<String, Object>> page(Page page);

  /**
   * Stops waiting for the intent stored under {@code dedupKey} (its step timed out or was
   * cancelled); its delivery goes on.
   */
  default void abandon(String dedupKey) {}
}
