package dev.vigil.slack;

import dev.vigil.incident.IncidentId;

/**
 * The Slack message of an incident in one channel: Vigil posts it once and then updates it in
 * place.
 *
 * @param channel the channel as configured ({@code #ops-eu}), which identifies the message with the
 *     incident
 * @param channelId Slack's id of the channel ({@code C0123}), which {@code chat.update} needs
 * @param ts the message's timestamp, Slack's id for it
 * @param fallback posted because PagerDuty could not take the page; the message keeps saying so
 */
public record SlackMessage(
    IncidentId incident, String channel, String channelId, String ts, boolean fallback) {}
