package dev.vigil.notify.pagerduty;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.config.Secret;
import dev.vigil.web.BadRequest;
import dev.vigil.web.JsonBody;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * PagerDuty v3 webhooks, the protocol alone (pure functions; docs/notifications.md has the setup).
 * A delivery is signed in {@code X-PagerDuty-Signature}: one or more comma-separated {@code
 * v1=<hex>}, each the lower-case hex HMAC-SHA256 of the raw body under a subscription's secret
 * (several while a secret is rotated). The body is {@code {"event": {"id", "event_type", "agent",
 * "data", ...}}}.
 */
public final class Webhooks {
  public static final String SIGNATURE = "X-PagerDuty-Signature";

  /**
   * More signatures than this in one header are not looked at (PagerDuty sends one, two while
   * rotating).
   */
  static final int MAX_SIGNATURES = 8;

  private static final int HEX_LENGTH = 64;

  private Webhooks() {}

  /**
   * Why a delivery was refused; the wire form is the metric label. It is never sent to the caller.
   */
  public enum Rejection {
    NOT_CONFIGURED,
    MISSING_SIGNATURE,
    BAD_SIGNATURE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  /**
   * Empty when some {@code v1=} value of {@code header} is the signature of {@code body} under some
   * secret. Every pair of secret and value is compared, over equal-length byte arrays and in
   * constant time, whatever matched, so the time taken says nothing about which part of a guess was
   * right.
   */
  public static Optional<Rejection> verify(String header, byte[] body, List<Secret> secrets) {
    if (secrets.isEmpty()) {
      return Optional.of(Rejection.NOT_CONFIGURED);
    }
    if (header == null || header.isBlank()) {
      return Optional.of(Rejection.MISSING_SIGNATURE);
    }
    List<byte[]> given = values(header);
    boolean ok = false;
    for (Secret s : secrets) {
      byte[] expected = hex(s.reveal(), body).getBytes(StandardCharsets.US_ASCII);
      for (byte[] g : given) {
        ok |= MessageDigest.isEqual(expected, g);
      }
    }
    return ok ? Optional.empty() : Optional.of(Rejection.BAD_SIGNATURE);
  }

  /**
   * The {@code v1=} values of the header, as bytes; values of another scheme or length are left
   * out.
   */
  private static List<byte[]> values(String header) {
    List<byte[]> out = new ArrayList<>();
    for (String part : header.split(",", MAX_SIGNATURES + 1)) {
      String v = part.strip();
      if (out.size() < MAX_SIGNATURES && v.startsWith("v1=") && v.length() == 3 + HEX_LENGTH) {
        out.add(v.substring(3).getBytes(StandardCharsets.US_ASCII));
      }
    }
    return out;
  }

  /**
   * {@code v1=} and the hex HMAC-SHA256 of {@code body} under {@code secret}, as PagerDuty signs a
   * delivery.
   */
  public static String sign(String secret, byte[] body) {
    return "v1=" + hex(secret, body);
  }

  private static String hex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  /**
   * One delivery, read as far as Vigil uses it.
   *
   * @param id {@code event.id}, unique per event (a re-delivery repeats it)
   * @param type {@code event.event_type}, e.g. {@code incident.acknowledged}
   * @param agent who did it ({@code event.agent.summary}), or "" when PagerDuty names nobody (a
   *     timeout)
   * @param incidentKey {@code data.incident_key}: the {@code dedup_key} Vigil sent; "" when absent
   *     (notes)
   * @param pagerDutyId PagerDuty's id of the incident ({@code data.id}, or {@code data.incident.id}
   *     for a note); "" if none
   * @param number PagerDuty's incident number, 0 when absent
   * @param note a note's {@code data.content}; ""
   * @param assignees the summaries of {@code data.assignees}, for the timeline
   * @param occurredAt {@code event.occurred_at}, when PagerDuty says it happened; empty when absent
   *     or not a time
   */
  public record Event(
      String id,
      String type,
      String agent,
      String incidentKey,
      String pagerDutyId,
      long number,
      String note,
      List<String> assignees,
      Optional<Instant> occurredAt) {
    public Event {
      assignees = List.copyOf(assignees);
    }
  }

  /**
   * Reads a delivery (the body, already verified). Fails with {@link BadRequest} naming the field
   * when it is not one JSON object with {@code event.id} and {@code event.event_type} strings; the
   * rest is read where it is present and of the right type, and ignored otherwise.
   */
  public static Event parse(byte[] body) {
    JsonNode root = JsonBody.read(body);
    if (!root.isObject()) {
      throw new BadRequest("body: expected a JSON object {\"event\": {...}}, got " + kind(root));
    }
    JsonNode event = root.get("event");
    if (event == null || !event.isObject()) {
      throw new BadRequest(
          "event: expected an object with id, event_type and data, got "
              + (event == null ? "nothing" : kind(event)));
    }
    String id = required(event, "id");
    String type = required(event, "event_type");
    JsonNode data = event.path("data");
    String pdId =
        "incident_note".equals(text(data, "type"))
            ? text(data.path("incident"), "id")
            : text(data, "id");
    List<String> assignees = new ArrayList<>();
    data.path("assignees")
        .forEach(
            a -> {
              String s = text(a, "summary");
              if (!s.isEmpty()) {
                assignees.add(s);
              }
            });
    Optional<Instant> occurredAt;
    try {
      String at = text(event, "occurred_at");
      occurredAt = at.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(at));
    } catch (DateTimeParseException e) {
      occurredAt = Optional.empty();
    }
    return new Event(
        id,
        type,
        text(event.path("agent"), "summary"),
        text(data, "incident_key"),
        pdId,
        data.path("number").canConvertToLong() ? data.path("number").asLong() : 0,
        text(data, "content"),
        assignees,
        occurredAt);
  }

  private static String required(JsonNode event, String field) {
    JsonNode v = event.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new BadRequest(
          "event."
              + field
              + ": expected a non-empty string, got "
              + (v == null ? "nothing" : kind(v)));
    }
    return v.asText();
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isTextual() ? v.asText() : "";
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "a list";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "true or false";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase();
    };
  }
}
