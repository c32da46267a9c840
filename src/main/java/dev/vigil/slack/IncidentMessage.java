package dev.vigil.slack;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.header;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import dev.vigil.expr.Mrkdwn;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Block Kit message of an incident (pure): header with severity and title, fields for status,
 * severity, team, type and runbook status, the labels, a fallback note when PagerDuty could not be
 * reached, and buttons while the incident is open.
 *
 * <p>The buttons are what {@link SlackApi} handles on {@code /slack/interactions}: action ids
 * {@link #ACKNOWLEDGE} and {@link #RESOLVE}, each with the incident id ({@code INC-42}) as {@code
 * value}. Acknowledge shows while the incident is triggered, Resolve until it is resolved.
 */
public final class IncidentMessage {
  public static final String ACKNOWLEDGE = "vigil.incident.acknowledge";
  public static final String RESOLVE = "vigil.incident.resolve";
  public static final String BLOCK_ID = "vigil.incident.actions";

  static final int HEADER_LIMIT = 150;
  static final int TEXT_LIMIT = 2900;

  private IncidentMessage() {}

  /**
   * The notification text (also what clients without Block Kit show); Slack reads it as mrkdwn, so
   * the title is escaped.
   */
  public static String text(Incident i, boolean fallback) {
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

  /**
   * @param runbook the runbook status in a few words ("none", "cpu-hog: running"), or empty
   */
  public static List<LayoutBlock> blocks(Incident i, String runbook, boolean fallback) {
    List<LayoutBlock> blocks = new ArrayList<>();
    String title = i.id() + ": " + i.title();
    blocks.add(header(h -> h.text(plainText(cut(icon(i) + " " + title, HEADER_LIMIT), true))));
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
    fields.add(markdownText("*Team:* " + (i.team() == null ? "none" : Mrkdwn.escape(i.team()))));
    fields.add(markdownText("*Type:* " + Mrkdwn.escape(i.type())));
    fields.add(
        markdownText(
            "*Runbook:* "
                + (runbook == null || runbook.isEmpty() ? "none" : Mrkdwn.escape(runbook))));
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
    if (!buttons.isEmpty()) {
      blocks.add(actions(a -> a.blockId(BLOCK_ID).elements(buttons)));
    }
    return blocks;
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

  /** Labels as {@code k=v} text, for tests and logs. */
  static String labels(Map<String, String> labels) {
    return String.join(
        ", ",
        new TreeMap<>(labels)
            .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
  }
}
