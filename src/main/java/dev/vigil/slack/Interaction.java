package dev.vigil.slack;

/**
 * A button click as Slack sent it: the message clicked on and where to answer the click. Which
 * incident messages Vigil posted itself is {@link SlackMessage}'s to say.
 *
 * @param channel the channel id of the clicked message, e.g. {@code C123}
 * @param ts the clicked message's timestamp, its id within the channel (for {@code chat.update})
 * @param responseUrl the interaction's response_url ({@code replace_original} updates the message)
 */
public record Interaction(String channel, String ts, String responseUrl) {}
