package dev.vigil.notify.slack;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where each incident's Slack messages are (table {@code slack_messages}, migration V4). */
public interface SlackMessageStore {

  Future<Optional<SlackMessage>> get(IncidentId incident, String channel);

  /** Every message of the incident, in the order they were posted. */
  Future<List<SlackMessage>> forIncident(IncidentId incident);

  /** Stores or replaces the message of {@code (incident, channel)}. */
  Future<Void> put(SlackMessage message, Instant now);
}
