package dev.vigil.slack;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;

import com.slack.api.model.block.LayoutBlock;
import dev.vigil.expr.Mrkdwn;
import dev.vigil.notify.Circuit;
import dev.vigil.notify.DeliveryException;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.Notifier;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.notify.Receipt;
import dev.vigil.oncall.TeamId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Delivers intents to Slack: a page shows the incident's message in the team channel, an update
 * re-renders every message of the incident, a digest or message is posted to the team channel (or
 * the one named); and a page PagerDuty cannot take goes to the team channel and the ops channel
 * marked as a fallback.
 */
public final class SlackNotifier implements Notifier {
  private final SlackMessages messages;
  private final Function<TeamId, Optional<String>> teamChannel;
  private final String opsChannel;
  private final Circuit circuit;

  public SlackNotifier(
      SlackMessages messages,
      Function<TeamId, Optional<String>> teamChannel,
      String opsChannel,
      Circuit circuit) {
    this.messages = messages;
    this.teamChannel = teamChannel;
    this.opsChannel = opsChannel;
    this.circuit = circuit;
  }

  @Override
  public String integration() {
    return "slack";
  }

  @Override
  public String state() {
    return "on, circuit " + circuit.describe();
  }

  @Override
  public Future<Receipt> deliver(OutboxEntry entry) {
    NotificationIntent i = entry.intent();
    JsonObject payload = new JsonObject(i.payload());
    return switch (i.kind()) {
      case PAGE ->
          channel(i, payload)
              .compose(ch -> messages.show(i.incident(), ch, false))
              .map(m -> Receipt.of("slack " + m.channel()));
      case UPDATE ->
          messages
              .update(i.incident())
              .map(
                  n ->
                      Receipt.of(
                          n == 0
                              ? ""
                              : "slack (" + n + " message" + (n == 1 ? "" : "s") + " updated)"));
      case DIGEST ->
          channel(i, payload)
              .compose(
                  ch -> {
                    String text =
                        IncidentMessage.cut(digestText(payload), IncidentMessage.TEXT_LIMIT);
                    return messages
                        .post(ch, text, List.of(section(s -> s.text(markdownText(text)))))
                        .map(p -> Receipt.of("slack " + ch));
                  });
      // a runbook's slack step reads where the message went and its ts
      case MESSAGE ->
          channel(i, payload)
              .compose(
                  ch ->
                      messages
                          .post(ch, payload.getString("text", ""), approvalBlocks(payload))
                          .map(
                              p ->
                                  new Receipt(
                                      "slack " + ch,
                                      Map.of(
                                          "channel",
                                          ch,
                                          "channelId",
                                          p.channelId(),
                                          "ts",
                                          p.ts() == null ? "" : p.ts()))));
    };
  }

  /**
   * An approval request: its text and the Approve and Reject buttons, whose {@code action_id}s and
   * value (the run) are what /slack/interactions decides with; null for any other message (text
   * only).
   */
  static List<LayoutBlock> approvalBlocks(JsonObject payload) {
    String run = payload.getString("approvalRun");
    if (run == null) {
      return null;
    }
    String text = IncidentMessage.cut(payload.getString("text", ""), IncidentMessage.TEXT_LIMIT);
    return List.of(
        section(s -> s.text(markdownText(text))),
        actions(
            a ->
                a.blockId("approval")
                    .elements(
                        List.of(
                            button(
                                b ->
                                    b.actionId("approve")
                                        .value(run)
                                        .style("primary")
                                        .text(plainText("Approve"))),
                            button(
                                b ->
                                    b.actionId("reject")
                                        .value(run)
                                        .style("danger")
                                        .text(plainText("Reject")))))));
  }

  @Override
  public Future<String> fallback(OutboxEntry entry, String failed) {
    NotificationIntent i = entry.intent();
    Set<String> channels = new LinkedHashSet<>();
    channel(i, new JsonObject(i.payload())).onSuccess(channels::add);
    if (!opsChannel.isEmpty()) {
      channels.add(opsChannel);
    }
    if (channels.isEmpty() || i.incident() == null) {
      return Future.failedFuture(
          DeliveryException.permanentFailure("slack: no channel for a fallback of " + i.key()));
    }
    List<Future<SlackMessage>> shown = new ArrayList<>();
    channels.forEach(ch -> shown.add(messages.show(i.incident(), ch, true)));
    return Future.all(shown).map(v -> "Slack " + String.join(" and ", channels));
  }

  private Future<String> channel(NotificationIntent i, JsonObject payload) {
    String named = payload.getString("channel", payload.getString("slackChannel", ""));
    if (!named.isEmpty()) {
      return Future.succeededFuture(named);
    }
    return teamChannel
        .apply(i.team())
        .map(Future::succeededFuture)
        .orElseGet(
            () ->
                Future.failedFuture(
                    DeliveryException.permanentFailure(
                        "slack: team " + i.team() + " has no slack.channel")));
  }

  /** The handoff digest as mrkdwn. */
  static String digestText(JsonObject d) {
    StringBuilder s =
        new StringBuilder(
            "*Handoff to team "
                + d.getString("team", "?")
                + "* (shift "
                + d.getString("shiftStart", "")
                + " to "
                + d.getString("shiftEnd", "")
                + ")\n");
    list(s, "Open", d.getJsonArray("open"));
    list(s, "Resolved by people", d.getJsonArray("resolved"));
    list(s, "Auto-resolved", d.getJsonArray("autoResolved"));
    JsonArray pending = d.getJsonArray("pendingEscalations", new JsonArray());
    s.append("*Escalations waiting for an ack:* ").append(pending.size()).append('\n');
    return s.toString();
  }

  private static void list(StringBuilder s, String title, JsonArray items) {
    JsonArray list = items == null ? new JsonArray() : items;
    s.append('*').append(title).append(":* ").append(list.size()).append('\n');
    for (int n = 0; n < Math.min(10, list.size()); n++) {
      JsonObject i = list.getJsonObject(n);
      s.append("• ")
          .append(i.getString("id", ""))
          .append(' ')
          .append(i.getString("severity", ""))
          .append(": ")
          .append(Mrkdwn.escape(i.getString("title", "")))
          .append('\n');
    }
    if (list.size() > 10) {
      s.append("• and ").append(list.size() - 10).append(" more\n");
    }
  }
}
