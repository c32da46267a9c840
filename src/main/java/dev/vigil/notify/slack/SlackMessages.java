package dev.vigil.notify.slack;

import com.slack.api.model.block.LayoutBlock;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.notify.DeliveryException;
import dev.vigil.notify.Pacer;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * The incidents' Slack messages: one per incident per channel, posted once and then updated in place
 * ({@code chat.update} on the stored {@code channel + ts}), always showing the incident as it is when
 * the call is made. Calls to one channel are paced (about one a second, {@link Pacer}); while one
 * waits, later requests for the same message coalesce into it, so a burst of changes costs one or two
 * calls, never a 429 storm.
 *
 * <p>This is the API [F6] uses after a button or command changed an incident: {@link #update(IncidentId)}.
 * Methods return at once; they may be called from any thread.
 */
public final class SlackMessages {
  private final SlackClient client;
  private final SlackMessageStore store;
  private final IncidentStore incidents;
  private final Pacer pacer;
  private final Clock clock;
  private final Function<IncidentId, Future<String>> runbookStatus;

  /** @param runbookStatus the incident's runbook status in a few words (empty: none) */
  public SlackMessages(SlackClient client, SlackMessageStore store, IncidentStore incidents, Pacer pacer, Clock clock,
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
   * resolution, new alerts, a runbook step). Completes with how many messages there were; fails with
   * a {@link DeliveryException} if one could not be updated.
   */
  public Future<Integer> update(IncidentId incident) {
    return store.forIncident(incident).compose(messages -> {
      List<Future<SlackMessage>> all = messages.stream().map(m -> show(incident, m.channel(), m.fallback())).toList();
      return Future.all(all).map(v -> messages.size());
    });
  }

  /**
   * Posts the incident's message to {@code channel}, or updates it if there is one already.
   * {@code fallback} marks it as a page PagerDuty could not take (a mark that stays).
   */
  public Future<SlackMessage> show(IncidentId incident, String channel, boolean fallback) {
    return pacer.submit(channel, incident + "/" + fallback, () -> render(incident, channel, fallback));
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
    Future<Incident> incident = incidents.get(id).compose(o -> o.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(DeliveryException.permanentFailure("slack: no incident " + id))));
    Future<String> runbook = runbookStatus.apply(id).recover(e -> Future.succeededFuture(""));
    return Future.all(incident, runbook).compose(v -> store.get(id, channel)).compose(existing -> {
      Incident inc = incident.result();
      boolean marked = fallback || existing.map(SlackMessage::fallback).orElse(false);
      String text = IncidentMessage.text(inc, marked);
      List<LayoutBlock> blocks = IncidentMessage.blocks(inc, runbook.result(), marked);
      if (existing.isPresent()) {
        SlackMessage m = existing.get();
        SlackMessage updated = new SlackMessage(id, channel, m.channelId(), m.ts(), marked);
        return client.update(m.channelId(), m.ts(), text, blocks)
            .compose(x -> marked == m.fallback() ? Future.succeededFuture() : store.put(updated, clock.instant()))
            .map(updated);
      }
      return client.post(channel, text, blocks).compose(p -> {
        SlackMessage m = new SlackMessage(id, channel, p.channelId(), p.ts(), marked);
        return store.put(m, clock.instant()).map(m);
      });
    });
  }
}
