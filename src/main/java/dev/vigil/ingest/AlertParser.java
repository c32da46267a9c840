package dev.vigil.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.incident.AlertIntake;
import dev.vigil.web.BadRequest;
import dev.vigil.web.JsonBody;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns request bodies into {@link AlertIntake}s: Alertmanager's webhook (payload version 4) and
 * the alert list of Alertmanager's {@code POST /api/v2/alerts}. Unknown fields are ignored (newer
 * Alertmanagers add some); anything missing or of the wrong type is a {@link BadRequest} naming the
 * field path, e.g. {@code alerts[3].startsAt: not an RFC 3339 time: "yesterday"}.
 *
 * <p>Pure and thread-safe.
 */
public final class AlertParser {
  /**
   * Labels (or annotations) one alert may carry. Real alerts have tens; a body with thousands is a
   * bug upstream, and storing it would make every page, message and API answer about it huge.
   */
  static final int MAX_LABELS = 1000;

  /** Alertmanager's "no end" timestamp. */
  private static final Instant NO_END = Instant.parse("0001-01-01T00:00:00Z");

  private AlertParser() {}

  /** An Alertmanager webhook: one alert group, keyed by its {@code groupKey}. */
  public static List<AlertIntake> webhook(byte[] body) {
    // Alertmanager's webhooks are well formed: read them off the token stream, with no tree and no
    // intermediate maps. Anything unexpected is read again, as a tree, to name what is wrong.
    List<AlertIntake> fast = JsonBody.stream(body, AlertParser::streamWebhook);
    return fast != null ? fast : webhookTree(body);
  }

  /** {@link #webhook} from a tree: the reference, and what names every problem. */
  static List<AlertIntake> webhookTree(byte[] body) {
    JsonNode root = read(body);
    if (!root.isObject()) {
      throw new BadRequest(
          "body: expected a JSON object (an Alertmanager webhook, payload version 4), got "
              + kind(root));
    }
    JsonNode version = root.get("version");
    if (version == null || version.isNull()) {
      throw new BadRequest(
          "version: missing; expected \"4\" (Alertmanager webhook payload version 4; a custom payload template is not supported)");
    }
    if (!version.isTextual() || !version.asText().equals("4")) {
      throw new BadRequest("version: expected \"4\", got " + show(version));
    }
    String groupKey = requiredString(root, "groupKey", "groupKey");
    Map<String, String> common = stringMap(root.get("commonLabels"), "commonLabels", false);
    JsonNode alerts = root.get("alerts");
    if (alerts == null || !alerts.isArray()) {
      throw new BadRequest("alerts: expected a list of alerts, got " + kind(alerts));
    }
    List<AlertIntake> out = new ArrayList<>(alerts.size());
    for (int i = 0; i < alerts.size(); i++) {
      String path = "alerts[" + i + "]";
      JsonNode a = alerts.get(i);
      if (!a.isObject()) {
        throw new BadRequest(path + ": expected an object, got " + kind(a));
      }
      String statusText = requiredString(a, "status", path + ".status");
      AlertStatus status;
      try {
        status = AlertStatus.fromWire(statusText);
      } catch (IllegalArgumentException e) {
        throw new BadRequest(
            path + ".status: expected \"firing\" or \"resolved\", got " + show(a.get("status")));
      }
      Map<String, String> labels = stringMap(a.get("labels"), path + ".labels", true);
      Instant startsAt = time(a.get("startsAt"), path + ".startsAt", true);
      Instant endsAt = time(a.get("endsAt"), path + ".endsAt", false);
      Alert alert =
          new Alert(
              fingerprint(a, labels, path),
              labels,
              stringMap(a.get("annotations"), path + ".annotations", false),
              status,
              startsAt,
              endsAt,
              optionalString(a, "generatorURL", path + ".generatorURL"));
      out.add(new AlertIntake(alert, groupKey, common, false));
    }
    return out;
  }

  /**
   * One alert as the stream had it, before the group's key and labels are known (they may come
   * after the alerts).
   */
  private record Streamed(
      AlertStatus status,
      Map<String, String> labels,
      Map<String, String> annotations,
      Instant startsAt,
      Instant endsAt,
      String generatorUrl,
      String fingerprint) {}

  /**
   * A well-formed webhook read off the token stream, or null for anything {@link #webhookTree}
   * would refuse or read otherwise.
   */
  static List<AlertIntake> streamWebhook(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      return null;
    }
    String version = null;
    String groupKey = null;
    Map<String, String> common = Map.of();
    List<Streamed> alerts = null;
    JsonBody.Keys keys = new JsonBody.Keys();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (!keys.first(field)) {
        return null;
      }
      switch (field) {
        case "version" -> version = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case "groupKey" -> groupKey = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case "commonLabels" ->
            common = t == JsonToken.VALUE_NULL ? Map.of() : streamStrings(p, false);
        case "alerts" -> {
          if (t != JsonToken.START_ARRAY) {
            return null;
          }
          alerts = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            Streamed a = streamAlert(p);
            if (a == null) {
              return null;
            }
            alerts.add(a);
          }
        }
        default -> {
          if (!JsonBody.skip(p)) {
            return null;
          }
        }
      }
      if (common == null) {
        return null;
      }
    }
    if (!"4".equals(version) || groupKey == null || groupKey.isEmpty() || alerts == null) {
      return null;
    }
    List<AlertIntake> out = new ArrayList<>(alerts.size());
    for (Streamed a : alerts) {
      String fingerprint = a.fingerprint().isEmpty() ? Fingerprint.of(a.labels()) : a.fingerprint();
      out.add(
          new AlertIntake(
              new Alert(
                  fingerprint,
                  a.labels(),
                  a.annotations(),
                  a.status(),
                  a.startsAt(),
                  a.endsAt(),
                  a.generatorUrl()),
              groupKey,
              common,
              false));
    }
    return out;
  }

  private static Streamed streamAlert(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      return null;
    }
    AlertStatus status = null;
    Map<String, String> labels = null;
    Map<String, String> annotations = Map.of();
    Instant startsAt = null;
    Instant endsAt = null;
    String generatorUrl = "";
    String fingerprint = "";
    JsonBody.Keys keys = new JsonBody.Keys();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (!keys.first(field)) {
        return null;
      }
      switch (field) {
        case "status" -> {
          String s = t == JsonToken.VALUE_STRING ? p.getText() : "";
          status =
              s.equals("firing")
                  ? AlertStatus.FIRING
                  : s.equals("resolved") ? AlertStatus.RESOLVED : null;
          if (status == null) {
            return null;
          }
        }
        case "labels" -> {
          labels = t == JsonToken.START_OBJECT ? streamStrings(p, true) : null;
          if (labels == null) {
            return null;
          }
        }
        case "annotations" -> {
          annotations = t == JsonToken.VALUE_NULL ? Map.of() : streamStrings(p, false);
          if (annotations == null) {
            return null;
          }
        }
        case "startsAt" -> {
          startsAt = t == JsonToken.VALUE_STRING ? streamTime(p.getText()) : null;
          if (startsAt == null) {
            return null;
          }
        }
        case "endsAt" -> {
          if (t == JsonToken.VALUE_STRING && !p.getText().isEmpty()) {
            endsAt = streamTime(p.getText());
            if (endsAt == null) {
              return null;
            }
            endsAt = endsAt.equals(NO_END) ? null : endsAt;
          } else if (t != JsonToken.VALUE_NULL && t != JsonToken.VALUE_STRING) {
            return null;
          }
        }
        case "generatorURL" -> {
          if (t == JsonToken.VALUE_STRING) {
            generatorUrl = p.getText();
          } else if (t != JsonToken.VALUE_NULL) {
            return null;
          }
        }
        case "fingerprint" -> {
          if (t == JsonToken.VALUE_STRING) {
            fingerprint = p.getText();
            if (Fingerprint.loneSurrogate(fingerprint) >= 0) {
              return null; // the tree says where
            }
          } else if (t != JsonToken.VALUE_NULL) {
            return null;
          }
        }
        default -> {
          if (!JsonBody.skip(p)) {
            return null;
          }
        }
      }
    }
    if (status == null || labels == null || startsAt == null || startsAt.equals(NO_END)) {
      return null;
    }
    return new Streamed(status, labels, annotations, startsAt, endsAt, generatorUrl, fingerprint);
  }

  /**
   * An object of strings (the parser on its start), as {@link #stringMap} would accept it; null
   * otherwise.
   */
  private static Map<String, String> streamStrings(JsonParser p, boolean required)
      throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      return null;
    }
    TreeMap<String, String> out = new TreeMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (name.isEmpty() || p.nextToken() != JsonToken.VALUE_STRING || out.size() >= MAX_LABELS) {
        return null;
      }
      if (out.put(name, p.getText()) != null) {
        return null; // a repeated key
      }
    }
    // frozen as the alert keeps it, so the alert and the fingerprint need no copy
    return required && out.isEmpty() ? null : Collections.unmodifiableSortedMap(out);
  }

  /** An RFC 3339 time, or null where {@link #time} would refuse it. */
  private static Instant streamTime(String text) {
    if (text.isEmpty()) {
      return null;
    }
    Instant fast = Rfc3339.parse(text);
    if (fast != null) {
      return fast;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /**
   * A JSON array of alerts in the shape of Alertmanager's {@code POST /api/v2/alerts}: each alert
   * is its own group. An alert whose {@code endsAt} has passed is resolved; with no {@code
   * startsAt} it continues the occurrence firing now, or starts one at {@code now}.
   */
  public static List<AlertIntake> alertList(byte[] body, Instant now) {
    JsonNode root = read(body);
    if (!root.isArray()) {
      throw new BadRequest("body: expected a JSON array of alerts, got " + kind(root));
    }
    List<AlertIntake> out = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      String path = "[" + i + "]";
      JsonNode a = root.get(i);
      if (!a.isObject()) {
        throw new BadRequest(path + ": expected an object, got " + kind(a));
      }
      Map<String, String> labels = stringMap(a.get("labels"), path + ".labels", true);
      Instant startsAt = time(a.get("startsAt"), path + ".startsAt", false);
      Instant endsAt = time(a.get("endsAt"), path + ".endsAt", false);
      boolean implicit = startsAt == null;
      if (startsAt == null) {
        startsAt = endsAt != null && endsAt.isBefore(now) ? endsAt : now; // as Alertmanager does
      }
      AlertStatus status =
          endsAt != null && !endsAt.isAfter(now) ? AlertStatus.RESOLVED : AlertStatus.FIRING;
      String fingerprint = Fingerprint.of(labels);
      Alert alert =
          new Alert(
              fingerprint,
              labels,
              stringMap(a.get("annotations"), path + ".annotations", false),
              status,
              startsAt,
              status == AlertStatus.RESOLVED ? endsAt : null,
              optionalString(a, "generatorURL", path + ".generatorURL"));
      out.add(new AlertIntake(alert, "alert:" + fingerprint, labels, implicit));
    }
    return out;
  }

  private static JsonNode read(byte[] body) {
    return JsonBody.read(body);
  }

  private static String fingerprint(JsonNode alert, Map<String, String> labels, String path) {
    String given = optionalString(alert, "fingerprint", path + ".fingerprint");
    int lone = Fingerprint.loneSurrogate(given);
    if (lone >= 0) {
      // stored as UTF-8 it would come back changed, and no re-send would find its alert again
      throw new BadRequest(
          path
              + ".fingerprint: not valid Unicode (an unpaired surrogate \\u"
              + Integer.toHexString(given.charAt(lone))
              + " at character "
              + lone
              + ")");
    }
    return given.isEmpty() ? Fingerprint.of(labels) : given;
  }

  private static String requiredString(JsonNode obj, String field, String path) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      throw new BadRequest(path + ": missing");
    }
    if (!v.isTextual()) {
      throw new BadRequest(path + ": expected a string, got " + kind(v));
    }
    if (v.asText().isEmpty()) {
      throw new BadRequest(path + ": must not be empty");
    }
    return v.asText();
  }

  private static String optionalString(JsonNode obj, String field, String path) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new BadRequest(path + ": expected a string, got " + kind(v));
    }
    return v.asText();
  }

  private static Map<String, String> stringMap(JsonNode v, String path, boolean required) {
    if (v == null || v.isNull()) {
      if (required) {
        throw new BadRequest(path + ": missing (an alert needs at least one label)");
      }
      return Map.of();
    }
    if (!v.isObject()) {
      throw new BadRequest(path + ": expected an object of strings, got " + kind(v));
    }
    if (required && v.isEmpty()) {
      throw new BadRequest(path + ": empty (an alert needs at least one label)");
    }
    if (v.size() > MAX_LABELS) {
      throw new BadRequest(
          path + ": " + v.size() + " entries; at most " + MAX_LABELS + " are accepted per alert");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().isEmpty()) {
        throw new BadRequest(path + ": a label name must not be empty");
      }
      if (!e.getValue().isTextual()) {
        throw new BadRequest(
            path + "." + abbreviate(e.getKey()) + ": expected a string, got " + kind(e.getValue()));
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private static Instant time(JsonNode v, String path, boolean required) {
    if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
      if (required) {
        throw new BadRequest(path + ": missing");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new BadRequest(path + ": expected an RFC 3339 time string, got " + kind(v));
    }
    try {
      Instant t = Instant.parse(v.asText());
      return t.equals(NO_END) ? null : t;
    } catch (DateTimeParseException e) {
      try {
        Instant t = OffsetDateTime.parse(v.asText()).toInstant();
        return t.equals(NO_END) ? null : t;
      } catch (DateTimeParseException e2) {
        throw new BadRequest(path + ": not an RFC 3339 time: " + show(v));
      }
    }
  }

  private static String kind(JsonNode v) {
    if (v == null || v.isNull()) {
      return "nothing";
    }
    if (v.isObject()) {
      return "an object";
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isNumber()) {
      return "the number " + v.asText();
    }
    if (v.isBoolean()) {
      return v.asText();
    }
    return show(v);
  }

  private static String show(JsonNode v) {
    return "\""
        + abbreviate(v.isTextual() ? v.asText() : v.toString()).replace("\"", "\\\"")
        + "\"";
  }

  /** Text from the request, short enough to quote in an error. */
  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }
}
