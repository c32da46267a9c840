package dev.vigil.fake;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks Block Kit the way Slack's {@code chat.postMessage} and {@code chat.update} do before they
 * answer {@code invalid_blocks}: at most 50 blocks of known types; a section with text of 1–3000
 * characters or 1–10 fields of up to 2000; header plain text up to 150; actions with 1–25 elements;
 * buttons with plain-text labels up to 75, an {@code action_id} up to 255 that is unique in the
 * message, a value up to 2000 and a style of {@code primary} or {@code danger}; {@code block_id}s
 * unique and up to 255. Errors read like Slack's ({@code "...
 * [json-pointer:/blocks/1/elements/0/text]"}).
 */
final class SlackBlocks {
  private static final Set<String> TYPES =
      Set.of("section", "actions", "context", "divider", "header", "image", "rich_text", "input");

  private SlackBlocks() {}

  /**
   * The problems with a {@code blocks} parameter; empty when Slack would accept it (or it is
   * absent).
   */
  static List<String> errors(String blocks) {
    List<String> errors = new ArrayList<>();
    if (blocks == null || blocks.isEmpty()) {
      return errors;
    }
    JsonArray list;
    try {
      list = new JsonArray(blocks);
    } catch (DecodeException e) {
      errors.add("blocks is not a JSON array");
      return errors;
    }
    if (list.size() > 50) {
      errors.add("no more than 50 items allowed [json-pointer:/blocks]");
    }
    Set<String> blockIds = new HashSet<>();
    Set<String> actionIds = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "/blocks/" + i;
      if (!(list.getValue(i) instanceof JsonObject b)) {
        errors.add("must be an object [json-pointer:" + at + "]");
        continue;
      }
      String type = b.getValue("type") instanceof String t ? t : "";
      if (!TYPES.contains(type)) {
        errors.add("unsupported type `" + type + "` [json-pointer:" + at + "/type]");
        continue;
      }
      if (b.getValue("block_id") instanceof String id && (id.length() > 255 || !blockIds.add(id))) {
        errors.add("block_id too long or repeated [json-pointer:" + at + "/block_id]");
      }
      switch (type) {
        case "section" -> section(b, at, errors);
        case "header" -> text(b.getValue("text"), List.of("plain_text"), 150, at + "/text", errors);
        case "actions" -> actions(b.getValue("elements"), at + "/elements", actionIds, errors);
        default -> {}
      }
    }
    return errors;
  }

  private static void section(JsonObject b, String at, List<String> errors) {
    if (b.getValue("text") == null && b.getValue("fields") == null) {
      errors.add("must provide text or fields [json-pointer:" + at + "]");
    }
    if (b.getValue("text") != null) {
      text(b.getValue("text"), List.of("plain_text", "mrkdwn"), 3000, at + "/text", errors);
    }
    if (b.getValue("fields") != null) {
      if (!(b.getValue("fields") instanceof JsonArray fields)
          || fields.isEmpty()
          || fields.size() > 10) {
        errors.add("must have between 1 and 10 fields [json-pointer:" + at + "/fields]");
        return;
      }
      for (int j = 0; j < fields.size(); j++) {
        text(
            fields.getValue(j), List.of("plain_text", "mrkdwn"), 2000, at + "/fields/" + j, errors);
      }
    }
  }

  private static void text(
      Object value, List<String> types, int max, String at, List<String> errors) {
    if (!(value instanceof JsonObject t) || !types.contains(t.getString("type", ""))) {
      errors.add(
          "must be a text object of type "
              + String.join(" or ", types)
              + " [json-pointer:"
              + at
              + "]");
      return;
    }
    String s = t.getValue("text") instanceof String x ? x : "";
    if (s.isEmpty() || s.length() > max) {
      errors.add("must be between 1 and " + max + " characters [json-pointer:" + at + "/text]");
    }
  }

  private static void actions(Object value, String at, Set<String> actionIds, List<String> errors) {
    if (!(value instanceof JsonArray elements) || elements.isEmpty() || elements.size() > 25) {
      errors.add("must have between 1 and 25 elements [json-pointer:" + at + "]");
      return;
    }
    for (int j = 0; j < elements.size(); j++) {
      String e = at + "/" + j;
      if (!(elements.getValue(j) instanceof JsonObject el)
          || !"button".equals(el.getValue("type"))) {
        continue; // other element types are not used by Vigil
      }
      text(el.getValue("text"), List.of("plain_text"), 75, e + "/text", errors);
      String actionId = el.getValue("action_id") instanceof String a ? a : "";
      if (actionId.isEmpty() || actionId.length() > 255 || !actionIds.add(actionId)) {
        errors.add("action_id missing, too long or repeated [json-pointer:" + e + "/action_id]");
      }
      if (el.getValue("value") instanceof String v && v.length() > 2000) {
        errors.add("must be less than 2001 characters [json-pointer:" + e + "/value]");
      }
      Object style = el.getValue("style");
      if (style != null && !"primary".equals(style) && !"danger".equals(style)) {
        errors.add("must be primary or danger [json-pointer:" + e + "/style]");
      }
    }
  }
}
