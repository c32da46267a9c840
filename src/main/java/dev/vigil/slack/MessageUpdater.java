package dev.vigil.slack;

import dev.vigil.incident.Incident;
import io.vertx.core.Future;

/**
 * Shows the outcome of a button click in the clicked message itself. The default, {@link
 * ResponseUrls#updater()}, replaces the message through the interaction's response_url; a daemon
 * with a Slack client may instead {@code chat.update} the stored incident message.
 */
public interface MessageUpdater {

  /** The incident changed through a button on the clicked message: show its new state in place. */
  Future<Void> incidentChanged(Interaction click, Incident incident);

  /**
   * The approval asked in the clicked message was decided; {@code text} says by whom and what
   * follows.
   */
  Future<Void> approvalDecided(Interaction click, String text);
}
