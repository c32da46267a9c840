package dev.vigil.notify;

import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.TeamId;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Something that should be sent: a page to a team for an incident at an escalation level, a handoff
 * digest, an update of what was paged (the incident was acknowledged or resolved), or a plain
 * message. Written to the outbox in the same transaction as the decision, delivered later.
 *
 * @param key idempotency key: enqueuing the same key twice stores one intent
 * @param incident null for a digest
 * @param level 1-based escalation level; 0 for a digest
 * @param channels the team's configured channel kinds ({@code pagerduty}, {@code slack}), in order
 * @param payload JSON text with what the message needs (incident title, severity, digest lists)
 */
public record NotificationIntent(
    String key,
    Kind kind,
    IncidentId incident,
    TeamId team,
    int level,
    List<String> channels,
    String payload) {

  public enum Kind {
    /** Page a team: PagerDuty trigger and/or the incident's Slack message in the team channel. */
    PAGE,
    /** The handoff digest, to the incoming team's Slack channel. */
    DIGEST,
    /**
     * Payload {@code {"status": "acknowledged"|"resolved"}}: PagerDuty acknowledge/resolve, Slack
     * messages updated.
     */
    UPDATE,
    /**
     * Payload {@code {"text": "...", "channel": "#x"}} (channel optional: the team's), a plain
     * Slack message.
     */
    MESSAGE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  public NotificationIntent {
    channels = List.copyOf(channels);
  }

  /**
   * A plain Slack message about an incident (a runbook's {@code slack} step, an approval request).
   *
   * @param key idempotency key, e.g. {@code runbook:<run>/<step>}: a step run again after a crash
   *     stores one message
   * @param channel the channel to post to; empty: the team's channel
   */
  public static NotificationIntent message(
      String key, IncidentId incident, TeamId team, String channel, String text) {
    return message(key, incident, team, channel, text, null);
  }

  /**
   * A message that asks for an approval: it carries Approve and Reject buttons for {@code
   * approvalRun} (when not null).
   */
  public static NotificationIntent message(
      String key,
      IncidentId incident,
      TeamId team,
      String channel,
      String text,
      String approvalRun) {
    JsonObject payload = new JsonObject().put("text", text);
    if (approvalRun != null) {
      payload.put("approvalRun", approvalRun);
    }
    if (!channel.isEmpty()) {
      payload.put("channel", channel);
    }
    if (incident != null) {
      payload.put("incident", incident.toString());
    }
    return new NotificationIntent(
        key, Kind.MESSAGE, incident, team, 0, List.of("slack"), payload.encode());
  }
}
