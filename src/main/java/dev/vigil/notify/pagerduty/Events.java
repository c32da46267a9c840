package dev.vigil.notify.pagerduty;

import dev.vigil.incident.Incident;
import dev.vigil.incident.StoredAlert;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * PagerDuty Events API v2 bodies, built from an incident (pure functions; see docs/notifications.md
 * for the field mapping). The {@code dedup_key} is the incident id, so every retry, replica and
 * level pages one PagerDuty alert per service.
 */
public final class Events {
  static final int SUMMARY_LIMIT = 1024;
  static final int BODY_LIMIT = 512_000;
  static final int LINK_LIMIT = 5;

  private Events() {}

  public static String dedupKey(Incident incident) {
    return incident.id().toString();
  }

  /**
   * A trigger event.
   *
   * @param incidentUrl the Vigil link for the incident (empty: no link)
   */
  public static JsonObject trigger(
      String routingKey, Incident incident, List<StoredAlert> alerts, String incidentUrl) {
    Map<String, String> labels = incident.labels();
    Map<String, String> annotations = new TreeMap<>();
    Set<String> generators = new LinkedHashSet<>();
    for (StoredAlert a : alerts) {
      a.alert().annotations().forEach(annotations::putIfAbsent);
      if (!a.alert().generatorUrl().isEmpty() && generators.size() < LINK_LIMIT) {
        generators.add(a.alert().generatorUrl());
      }
    }
    JsonObject payload =
        new JsonObject()
            .put("summary", truncate("[" + incident.id() + "] " + incident.title(), SUMMARY_LIMIT))
            .put("source", first(labels, "vigil", "instance", "service", "job", "host"))
            .put("severity", incident.severity().wire())
            .put("timestamp", incident.openedAt().toString());
    putIf(payload, "component", first(labels, "", "component", "service", "job"));
    putIf(payload, "group", first(labels, "", "group", "namespace", "cluster"));
    putIf(
        payload,
        "class",
        first(labels, "unknown".equals(incident.type()) ? "" : incident.type(), "class"));
    JsonObject details =
        new JsonObject()
            .put("incident", incident.id().toString())
            .put("alerts", incident.alertCount())
            .put("labels", new JsonObject(new TreeMap<String, Object>(labels)))
            .put("annotations", new JsonObject(new TreeMap<String, Object>(annotations)));
    if (incident.team() != null) {
      details.put("team", incident.team());
    }
    payload.put("custom_details", details);
    JsonArray links = new JsonArray();
    if (!incidentUrl.isEmpty()) {
      links.add(new JsonObject().put("href", incidentUrl).put("text", "Vigil " + incident.id()));
    }
    generators.forEach(g -> links.add(new JsonObject().put("href", g).put("text", "Alert source")));
    JsonObject event =
        new JsonObject()
            .put("routing_key", routingKey)
            .put("event_action", "trigger")
            .put("dedup_key", dedupKey(incident))
            .put("payload", payload)
            .put("client", "Vigil");
    if (!incidentUrl.isEmpty()) {
      event.put("client_url", incidentUrl);
    }
    if (!links.isEmpty()) {
      event.put("links", links);
    }
    if (event.encode().getBytes(StandardCharsets.UTF_8).length > BODY_LIMIT) {
      payload.put(
          "custom_details",
          new JsonObject()
              .put("incident", incident.id().toString())
              .put(
                  "error",
                  "labels and annotations left out: the event was larger than PagerDuty's 512 KB limit"));
    }
    return event;
  }

  /**
   * The trigger with a runbook step's own summary and severity (either may be null: the incident's
   * stays). The summary is cut to PagerDuty's 1024 characters.
   */
  public static JsonObject override(JsonObject trigger, String summary, String severity) {
    JsonObject payload = trigger.getJsonObject("payload");
    if (summary != null && !summary.isBlank()) {
      payload.put("summary", truncate(summary, SUMMARY_LIMIT));
    }
    if (severity != null && !severity.isBlank()) {
      payload.put("severity", severity);
    }
    return trigger;
  }

  /** An {@code acknowledge} or {@code resolve} event: routing key, dedup key and action only. */
  public static JsonObject change(String routingKey, String dedupKey, String action) {
    return new JsonObject()
        .put("routing_key", routingKey)
        .put("dedup_key", dedupKey)
        .put("event_action", action);
  }

  static String truncate(String s, int max) {
    if (s.codePointCount(0, s.length()) <= max) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
  }

  private static String first(Map<String, String> labels, String dflt, String... keys) {
    for (String k : keys) {
      String v = labels.get(k);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return dflt;
  }

  private static void putIf(JsonObject o, String key, String value) {
    if (!value.isEmpty()) {
      o.put(key, value);
    }
  }
}
