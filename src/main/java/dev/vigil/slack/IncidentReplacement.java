package dev.vigil.slack;

import dev.vigil.expr.Mrkdwn;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An incident as a Slack message (Block Kit): title, severity, status, team, who acknowledged or
 * resolved it, and the buttons that still apply. The buttons' {@code action_id}s are what {@link
 * SlackApi} handles: {@code ack}, {@code resolve} (value: the incident id) and {@code run} (value:
 * {@code RUNBOOK INC-1}).
 */
final class IncidentReplacement {
  /** The action ids of the notifier's incident messages, the same buttons. */
  static final String ACKNOWLEDGE = IncidentMessage.ACKNOWLEDGE;

  static final String RESOLVE = IncidentMessage.RESOLVE;

  private IncidentReplacement() {}

  /** {@code text} and {@code blocks} of the message. */
  public static JsonObject of(Incident inc) {
    String title = inc.id() + ": " + inc.title();
    StringBuilder facts =
        new StringBuilder()
            .append("*Severity:* ")
            .append(inc.severity().wire())
            .append("   *Status:* ")
            .append(inc.status().wire())
            .append("   *Team:* ")
            .append(inc.team() == null ? "none" : Mrkdwn.escape(inc.team()));
    if (inc.acknowledgedBy() != null) {
      facts.append("\n*Acknowledged by* ").append(Actor.mention(inc.acknowledgedBy()));
    }
    if (inc.resolvedBy() != null) {
      facts.append("\n*Resolved by* ").append(Actor.mention(inc.resolvedBy()));
    }
    JsonArray blocks =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("type", "header")
                    .put(
                        "text",
                        plain(title.length() > 150 ? title.substring(0, 149) + "…" : title)))
            .add(
                new JsonObject()
                    .put("type", "section")
                    .put(
                        "text",
                        new JsonObject().put("type", "mrkdwn").put("text", facts.toString())));
    JsonArray buttons = new JsonArray();
    if (inc.status() == IncidentStatus.TRIGGERED) {
      buttons.add(button("Acknowledge", ACKNOWLEDGE, inc.id().toString(), "primary"));
    }
    if (inc.status() != IncidentStatus.RESOLVED) {
      buttons.add(button("Resolve", RESOLVE, inc.id().toString(), null));
    }
    if (!buttons.isEmpty()) {
      blocks.add(new JsonObject().put("type", "actions").put("elements", buttons));
    }
    // the header is plain_text (never markup); the top-level text is read as mrkdwn, so the title
    // is escaped there
    return new JsonObject()
        .put(
            "text",
            Mrkdwn.escape(title) + " [" + inc.severity().wire() + ", " + inc.status().wire() + "]")
        .put("blocks", blocks);
  }

  private static JsonObject plain(String text) {
    return new JsonObject().put("type", "plain_text").put("text", text);
  }

  private static JsonObject button(String label, String actionId, String value, String style) {
    JsonObject b =
        new JsonObject()
            .put("type", "button")
            .put("text", plain(label))
            .put("action_id", actionId)
            .put("value", value);
    return style == null ? b : b.put("style", style);
  }
}
