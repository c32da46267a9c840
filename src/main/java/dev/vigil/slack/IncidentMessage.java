package dev.vigil.slack;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;

import com.google.gson.Gson;
import com.slack.api.model.block.Blocks;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import com.slack.api.util.json.GsonFactory;
import dev.vigil.expr.Mrkdwn;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The Block Kit message of an incident (pure), the one place its blocks are built. Two forms share
 * the header and the buttons:
 *
 * <ul>
 *   <li>{@link #text()} and {@link #blocks()}: the message the notifier posts and keeps up to date
 *       ({@code chat.postMessage}, {@code chat.update}): header with severity icon and title,
 *       fields for status, severity, team, type, runbook status and alerts, the labels, a fallback
 *       note when PagerDuty could not be reached, and the buttons;
 *   <li>{@link #replacement()}: what replaces a clicked message Vigil did not post itself, through
 *       the interaction's response_url: title, severity, status, team, who acknowledged or resolved
 *       it, and the buttons.
 * </ul>
 *
 * <p>The buttons are what {@link SlackApi} handles on {@code /slack/interactions}: action ids
 * {@link #ACKNOWLEDGE} and {@link #RESOLVE}, each with the incident id ({@code INC-42}) as {@code
 * value}. Acknowledge shows while the incident is triggered, Resolve until it is resolved.
 *
 * <p>Built as {@code IncidentMessage.of(incident).runbook(status).fallback(marked)}; what the
 * message shows beyond the incident is set the same way.
 */
public final class IncidentMessage {
  public static final String ACKNOWLEDGE = "vigil.incident.acknowledge";
  public static final String RESOLVE = "vigil.incident.resolve";
  public static final String BLOCK_ID = "vigil.incident.actions";

  static final int HEADER_LIMIT = 150;
  static final int TEXT_LIMIT = 2900;

  /** Block Kit as Slack's Web API reads it (snake_case, nulls left out). */
  private static final Gson JSON = GsonFactory.createSnakeCase();

  private final Incident incident;
  private String runbook = "";
  private boolean fallback;

  private IncidentMessage(Incident incident) {
    this.incident = incident;
  }

  public static IncidentMessage of(Incident incident) {
    return new IncidentMessage(incident);
  }

  /**
   * @param status the runbook status in a few words ("cpu-hog: running"); empty or null: none
   */
  public IncidentMessage runbook(String status) {
    this.runbook = status == null ? "" : status;
    return this;
  }

  /** Marks the message as a page posted because PagerDuty could not be reached. */
  public IncidentMessage fallback(boolean fallback) {
    this.fallback = fallback;
    return this;
  }

  /**
   * The notification text (also what clients without Block Kit show); Slack reads it as mrkdwn, so
   * the title is escaped.
   */
  public String text() {
    Incident i = incident;
    return (fallback ? "[fallback: PagerDuty unreachable] " : "")
        + icon(i)
        + " "
        + i.id()
        + " "
        + i.severity().wire()
        + " "
        + i.status().wire()
        + ": "
        + Mrkdwn.escape(i.title());
  }

  /** The notification's blocks. */
  public List<LayoutBlock> blocks() {
    Incident i = incident;
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(header(icon(i) + " " + title(), true));
    if (fallback) {
      blocks.add(
          context(
              c ->
                  c.elements(
                      List.of(
                          markdownText(
                              ":warning: *Fallback:* PagerDuty could not be reached, so this page is"
                                  + " posted here. Vigil keeps retrying PagerDuty.")))));
    }
    List<TextObject> fields = new ArrayList<>();
    fields.add(
        markdownText(
            "*Status:* "
                + i.status().wire()
                + (i.acknowledgedBy() != null && i.status() != IncidentStatus.TRIGGERED
                    ? " (ack: " + Mrkdwn.escape(i.acknowledgedBy()) + ")"
                    : "")));
    fields.add(markdownText("*Severity:* " + i.severity().wire()));
    fields.add(markdownText("*Team:* " + team(i)));
    fields.add(markdownText("*Type:* " + Mrkdwn.escape(i.type())));
    fields.add(markdownText("*Runbook:* " + (runbook.isEmpty() ? "none" : Mrkdwn.escape(runbook))));
    fields.add(markdownText("*Alerts:* " + i.firingCount() + " firing of " + i.alertCount()));
    blocks.add(section(s -> s.fields(fields)));
    if (!i.labels().isEmpty()) {
      StringBuilder labels = new StringBuilder("*Labels:* ");
      new TreeMap<>(i.labels())
          .forEach(
              (k, v) ->
                  labels
                      .append('`')
                      .append(Mrkdwn.escape(k))
                      .append('=')
                      .append(Mrkdwn.escape(v))
                      .append("` "));
      blocks.add(section(s -> s.text(markdownText(cut(labels.toString().strip(), TEXT_LIMIT)))));
    }
    List<BlockElement> buttons = buttons(i);
    if (!buttons.isEmpty()) {
      blocks.add(actions(a -> a.blockId(BLOCK_ID).elements(buttons)));
    }
    return blocks;
  }

  /**
   * {@code text} and {@code blocks} of the short form that replaces a clicked message through the
   * interaction's response_url (add {@code replace_original}).
   */
  public JsonObject replacement() {
    Incident i = incident;
    StringBuilder facts =
        new StringBuilder()
            .append("*Severity:* ")
            .append(i.severity().wire())
            .append("   *Status:* ")
            .append(i.status().wire())
            .append("   *Team:* ")
            .append(team(i));
    if (i.acknowledgedBy() != null) {
      facts.append("\n*Acknowledged by* ").append(Actor.mention(i.acknowledgedBy()));
    }
    if (i.resolvedBy() != null) {
      facts.append("\n*Resolved by* ").append(Actor.mention(i.resolvedBy()));
    }
    List<LayoutBlock> blocks = new ArrayList<>();
    blocks.add(header(title(), false));
    blocks.add(section(s -> s.text(markdownText(facts.toString()))));
    List<BlockElement> buttons = buttons(i);
    if (!buttons.isEmpty()) {
      blocks.add(actions(a -> a.elements(buttons)));
    }
    // the header is plain_text (never markup); the top-level text is read as mrkdwn, so the title
    // is escaped there
    return new JsonObject()
        .put(
            "text",
            Mrkdwn.escape(title()) + " [" + i.severity().wire() + ", " + i.status().wire() + "]")
        .put("blocks", new JsonArray(JSON.toJson(blocks)));
  }

  private String title() {
    return incident.id() + ": " + incident.title();
  }

  private static String team(Incident i) {
    return i.team() == null ? "none" : Mrkdwn.escape(i.team());
  }

  /** A plain-text header, cut to Slack's limit; {@code emoji} asks Slack to show :codes:. */
  private static LayoutBlock header(String text, boolean emoji) {
    String cut = cut(text, HEADER_LIMIT);
    return Blocks.header(h -> h.text(emoji ? plainText(cut, true) : plainText(cut)));
  }

  /** Acknowledge while triggered, Resolve until resolved; each carries the incident id. */
  private static List<BlockElement> buttons(Incident i) {
    List<BlockElement> buttons = new ArrayList<>();
    String id = i.id().toString();
    if (i.status() == IncidentStatus.TRIGGERED) {
      buttons.add(
          button(
              b ->
                  b.actionId(ACKNOWLEDGE)
                      .text(plainText("Acknowledge"))
                      .value(id)
                      .style("primary")));
    }
    if (i.status() != IncidentStatus.RESOLVED) {
      buttons.add(button(b -> b.actionId(RESOLVE).text(plainText("Resolve")).value(id)));
    }
    return buttons;
  }

  private static String icon(Incident i) {
    if (i.status() == IncidentStatus.RESOLVED) {
      return ":white_check_mark:";
    }
    return switch (i.severity()) {
      case CRITICAL -> ":red_circle:";
      case ERROR -> ":large_orange_circle:";
      case WARNING -> ":large_yellow_circle:";
      case INFO -> ":large_blue_circle:";
    };
  }

  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
