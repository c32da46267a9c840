package dev.vigil.slack;

import dev.vigil.incident.Incident;
import io.vertx.core.Future;

/**
 * Updates a clicked incident message through the notifier's {@link SlackMessages} ({@code
 * chat.update} of the stored message, paced and coalesced with the updates the outbox sends anyway)
 * when the click was on one of the incident's stored messages (same channel, same ts); any other
 * message (and an approval message) is replaced through the interaction's response_url.
 */
final class StoredMessages implements MessageUpdater {
  private final SlackMessages messages;
  private final MessageUpdater fallback;

  StoredMessages(SlackMessages messages, MessageUpdater fallback) {
    this.messages = messages;
    this.fallback = fallback;
  }

  @Override
  public Future<Void> incidentChanged(Interaction click, Incident incident) {
    return messages
        .messages(incident.id())
        .compose(
            stored ->
                stored.stream().anyMatch(m -> isClicked(m, click))
                    ? messages.update(incident.id()).mapEmpty()
                    : fallback.incidentChanged(click, incident));
  }

  /**
   * A message's ts is unique only within its channel, so the click names the stored message only if
   * its channel matches too.
   */
  private static boolean isClicked(SlackMessage m, Interaction click) {
    return click.ts().equals(m.ts()) && click.channel().equals(m.channelId());
  }

  @Override
  public Future<Void> approvalDecided(Interaction click, String text) {
    return fallback.approvalDecided(click, text);
  }
}
