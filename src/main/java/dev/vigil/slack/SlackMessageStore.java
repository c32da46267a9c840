package dev.vigil.slack;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where each incident's Slack messages are (table {@code slack_messages}, migrations V4 and V7).
 *
 * <p>A row is either a posted message (with Slack's channel id and ts) or, before that, the intent
 * to post it ({@link #beginPost}): a try that may have reached Slack without its answer being
 * stored (ADR 0110). Only posted messages are returned by {@link #get} and {@link #forIncident}.
 */
public interface SlackMessageStore {

  /** The posted message of {@code (incident, channel)}; empty while none is known to be posted. */
  Future<Optional<SlackMessage>> get(IncidentId incident, String channel);

  /** Every posted message of the incident, in the order they were first tried. */
  Future<List<SlackMessage>> forIncident(IncidentId incident);

  /**
   * Stores or replaces the message of {@code (incident, channel)} (which ends an intent to post
   * it).
   */
  Future<Void> put(SlackMessage message, Instant now);

  /**
   * Records that the message of {@code (incident, channel)} is about to be posted. Completes with
   * empty if this is the first try, or with when an earlier try began if one was recorded and never
   * stored its ts: that try may have reached Slack.
   */
  Future<Optional<Instant>> beginPost(
      IncidentId incident, String channel, boolean fallback, Instant now);

  /**
   * Slack's id of a channel as configured ({@code #ops-eu}), if a message stored for it says so.
   */
  Future<Optional<String>> channelId(String channel);
}
