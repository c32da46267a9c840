package dev.vigil.slack;

import io.vertx.core.json.JsonObject;

/**
 * An answer to a command, as Slack's message JSON.
 *
 * @param inChannel true: the whole channel sees it (state changes); false: only the caller
 *     (questions, errors)
 */
public record Reply(String text, boolean inChannel) {
  public static Reply toCaller(String text) {
    return new Reply(text, false);
  }

  public static Reply toChannel(String text) {
    return new Reply(text, true);
  }

  public JsonObject json() {
    return new JsonObject()
        .put("response_type", inChannel ? "in_channel" : "ephemeral")
        .put("text", text);
  }
}
