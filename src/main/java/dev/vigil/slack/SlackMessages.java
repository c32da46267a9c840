package dev.vigil.slack;

import com.slack.api.model.block.LayoutBlock;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.notify.DeliveryException;
import dev.vigil.notify.Pacer;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incidents' Slack messages: one per incident per channel, posted once and then updated in
 * place ({@code chat.update} on the stored {@code channel + ts}), always showing the incident as it
 * is when the call is made. Calls to one channel are paced (about one a second, {@link Pacer});
 * while one waits, later requests for the same message coalesce into it, so a burst of changes
 * costs one or two calls, never a 429 storm.
 *
 * <p>Posted once even across a crash (ADR 0110): before posting, the intent is stored; a later try
 * that finds the intent without a stored ts first looks for the message in the channel's history,
 * by the metadata the post gave it, and updates it if found. That lookup runs in the channel's lane
 * like the post, and only on such a retry.
 *
 * <p>This is the API the Slack commands and buttons use after a button or command changed an
 * incident: {@link #update(IncidentId)}. Methods return at once; they may be called from any
 * thread.
 */
public final class SlackMessages {
  private static final Logger log = LoggerFactory.getLogger(SlackMessages.class);

  /**
   * How far before the first try's recorded time the history is searched: clocks differ, Slack's
   * and ours.
   */
  static final Duration HISTORY_MARGIN = Duration.ofMinutes(5);

  private static final Pattern CHANNEL_ID = Pattern.compile("[CGD][A-Z0-9]{6,}");
  private static final String SCOPE_HINT =
      "the bot needs the channels:history scope, groups:history for a private channel";

  private final SlackClient client;
  private final SlackMessageStore store;
  private final IncidentStore incidents;
  private final Pacer pacer;
  private final Clock clock;
  private final Function<IncidentId, Future<String>> runbookStatus;

  /**
   * @param runbookStatus the incident's runbook status in a few words (empty: none)
   */
  public SlackMessages(
      SlackClient client,
      SlackMessageStore store,
      IncidentStore incidents,
      Pacer pacer,
      Clock clock,
      Function<IncidentId, Future<String>> runbookStatus) {
    this.client = client;
    this.store = store;
    this.incidents = incidents;
    this.pacer = pacer;
    this.clock = clock;
    this.runbookStatus = runbookStatus;
  }

  /**
   * Re-renders every message of the incident from its current state (after an acknowledgement,
   * resolution, new alerts, a runbook step). Completes with how many messages there were; fails
   * with a {@link DeliveryException} if one could not be updated.
   */
  public Future<Integer> update(IncidentId incident) {
    return store
        .forIncident(incident)
        .compose(
            messages -> {
              List<Future<SlackMessage>> all =
                  messages.stream().map(m -> show(incident, m.channel(), m.fallback())).toList();
              return Future.all(all).map(v -> messages.size());
            });
  }

  /**
   * Posts the incident's message to {@code channel}, or updates it if there is one already. {@code
   * fallback} marks it as a page PagerDuty could not take (a mark that stays).
   */
  public Future<SlackMessage> show(IncidentId incident, String channel, boolean fallback) {
    return pacer.submit(
        channel, incident + "/" + fallback, () -> render(incident, channel, fallback));
  }

  /** The messages of an incident, in the order they were posted. */
  public Future<List<SlackMessage>> messages(IncidentId incident) {
    return store.forIncident(incident);
  }

  /** A plain message (digests, runbook messages), paced with the channel's other calls. */
  public Future<SlackClient.Posted> post(String channel, String text, List<LayoutBlock> blocks) {
    return pacer.submit(channel, null, () -> client.post(channel, text, blocks));
  }

  private Future<SlackMessage> render(IncidentId id, String channel, boolean fallback) {
    Future<Incident> incident =
        incidents
            .get(id)
            .compose(
                o ->
                    o.map(Future::succeededFuture)
                        .orElseGet(
                            () ->
                                Future.failedFuture(
                                    DeliveryException.permanentFailure(
                                        "slack: no incident " + id))));
    Future<String> runbook = runbookStatus.apply(id).recover(e -> Future.succeededFuture(""));
    return Future.all(incident, runbook)
        .compose(v -> store.get(id, channel))
        .compose(
            existing -> {
              Incident inc = incident.result();
              boolean marked = fallback || existing.map(SlackMessage::fallback).orElse(false);
              IncidentMessage message =
                  IncidentMessage.of(inc).runbook(runbook.result()).fallback(marked);
              String text = message.text();
              List<LayoutBlock> blocks = message.blocks();
              if (existing.isPresent()) {
                SlackMessage m = existing.get();
                SlackMessage updated = new SlackMessage(id, channel, m.channelId(), m.ts(), marked);
                return client
                    .update(m.channelId(), m.ts(), text, blocks)
                    .compose(
                        x ->
                            marked == m.fallback()
                                ? Future.succeededFuture()
                                : store.put(updated, clock.instant()))
                    .map(updated);
              }
              return store
                  .beginPost(id, channel, marked, clock.instant())
                  .compose(
                      earlier -> {
                        if (earlier.isEmpty()) {
                          return postNew(id, channel, marked, text, blocks);
                        }
                        // An earlier try began and never stored Slack's answer: it may have posted
                        // (ADR 0110).
                        return findEarlier(id, channel, earlier.get())
                            .compose(
                                found -> {
                                  if (found.isEmpty()) {
                                    return postNew(id, channel, marked, text, blocks);
                                  }
                                  SlackMessage m =
                                      new SlackMessage(
                                          id,
                                          channel,
                                          found.get().channelId(),
                                          found.get().ts(),
                                          marked);
                                  log.atInfo()
                                      .addKeyValue("incident", id)
                                      .addKeyValue("channel", channel)
                                      .addKeyValue("ts", m.ts())
                                      .log(
                                          "slack: found the message an earlier try posted; updating it instead of posting again");
                                  return store
                                      .put(m, clock.instant())
                                      .compose(
                                          x -> client.update(m.channelId(), m.ts(), text, blocks))
                                      .map(m);
                                });
                      });
            });
  }

  private Future<SlackMessage> postNew(
      IncidentId id, String channel, boolean marked, String text, List<LayoutBlock> blocks) {
    return client
        .post(channel, text, blocks, id)
        .compose(
            p -> {
              SlackMessage m = new SlackMessage(id, channel, p.channelId(), p.ts(), marked);
              return store.put(m, clock.instant()).map(m);
            });
  }

  /**
   * The message an earlier try may have posted, from the channel's history (its metadata names the
   * incident). Empty when there is none, and also when the history cannot be read: then a second
   * message is posted, which beats a lost page, and a warning says why.
   */
  private Future<Optional<SlackClient.Posted>> findEarlier(
      IncidentId id, String channel, Instant since) {
    return store
        .channelId(channel)
        .map(
            known ->
                known.or(
                    () ->
                        CHANNEL_ID.matcher(channel).matches()
                            ? Optional.of(channel)
                            : Optional.empty()))
        .compose(
            channelId -> {
              if (channelId.isEmpty()) {
                return Future.failedFuture(
                    "Slack's id of the channel is not known yet (configure the channel by id, C0123)");
              }
              return client.findIncidentMessage(channelId.get(), id, since.minus(HISTORY_MARGIN));
            })
        .recover(
            e -> {
              String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
              log.atWarn()
                  .addKeyValue("incident", id)
                  .addKeyValue("channel", channel)
                  .log(
                      "slack: an earlier try to post the incident's message may have reached Slack, but the channel's history "
                          + "cannot be read to find it ("
                          + why
                          + (why.contains("missing_scope") ? "; " + SCOPE_HINT : "")
                          + "); posting again, which may show a second message");
              return Future.succeededFuture(Optional.empty());
            });
  }
}
