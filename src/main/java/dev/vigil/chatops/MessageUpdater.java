package dev.vigil.chatops;

import dev.vigil.incident.Incident;
import io.vertx.core.Future;

/**
 * Shows the outcome of a button click in the clicked message itself. The default, {@link
 * ResponseUrls#updater()}, replaces the message through the interaction's response_url; a daemon
 * with a Slack client may instead {@code chat.update} the stored incident message.
 */
public interface MessageUpdater {

  /** The incident changed through a button on {@code message}: show its new state in place. */
  Future<Void> incidentChanged(SlackMessage message, Incident incident);

  /**
   * The approval asked in {@code message} was decided; {@code text} says by whom and what follows.
   */
  Future<Void> approvalDecided(SlackMessage message, String text);
}
