package dev.vigil.slack;

/**
 * A Slack message a button was clicked on.
 *
 * @param channel the channel id, e.g. {@code C123}
 * @param ts the message's timestamp, its id within the channel (for {@code chat.update})
 * @param responseUrl the interaction's response_url ({@code replace_original} updates the message)
 */
public record Interaction(String channel, String ts, String responseUrl) {}
