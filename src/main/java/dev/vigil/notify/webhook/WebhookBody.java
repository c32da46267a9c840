package dev.vigil.notify.webhook;

import dev.vigil.incident.Incident;
import dev.vigil.incident.StoredAlert;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * The JSON body of an outgoing webhook, version {@value #VERSION} (docs/notifications.md shows
 * one). Pure functions. Fields are only ever added within a version; a change that would break a
 * receiver gets a new {@code version}.
 */
public final class WebhookBody {
  public static final String VERSION = "1";

  /** At most this many alerts are listed; {@code incident.alertCount} says how many there are. */
  static final int ALERT_LIMIT = 100;

  private WebhookBody() {}

  /**
   * @param id the delivery's id, the same on every retry (receivers deduplicate with it)
   * @param action {@code trigger}, {@code acknowledge} or {@code resolve}
   * @param level the escalation level paged (1-based); 0 for acknowledge and resolve, and for a
   *     runbook's page
   * @param incidentUrl the incident in Vigil's API, empty when {@code server.publicUrl} is not set
   */
  public static JsonObject of(
      String id,
      String action,
      int level,
      String team,
      Incident i,
      List<StoredAlert> alerts,
      String incidentUrl,
      Instant sentAt) {
    JsonObject incident =
        new JsonObject()
            .put("id", i.id().toString())
            .put("title", i.title())
            .put("status", i.status().wire())
            .put("severity", i.severity().wire())
            .put("type", i.type())
            .put("team", i.team())
            .put("labels", new JsonObject(new TreeMap<String, Object>(i.labels())))
            .put("alertCount", i.alertCount())
            .put("firingCount", i.firingCount())
            .put("openedAt", time(i.openedAt()))
            .put("acknowledgedAt", time(i.acknowledgedAt()))
            .put("acknowledgedBy", i.acknowledgedBy())
            .put("resolvedAt", time(i.resolvedAt()))
            .put("resolvedBy", i.resolvedBy())
            .put("url", incidentUrl.isEmpty() ? null : incidentUrl);
    JsonArray as = new JsonArray();
    for (StoredAlert sa : alerts.subList(0, Math.min(alerts.size(), ALERT_LIMIT))) {
      as.add(
          new JsonObject()
              .put("fingerprint", sa.alert().fingerprint())
              .put("status", sa.alert().status().wire())
              .put("labels", new JsonObject(new TreeMap<String, Object>(sa.alert().labels())))
              .put(
                  "annotations",
                  new JsonObject(new TreeMap<String, Object>(sa.alert().annotations())))
              .put("startsAt", time(sa.alert().startsAt()))
              .put("endsAt", time(sa.alert().endsAt()))
              .put("generatorURL", sa.alert().generatorUrl()));
    }
    return new JsonObject()
        .put("version", VERSION)
        .put("id", id)
        .put("action", action)
        .put("level", level)
        .put("team", team)
        .put("sentAt", time(sentAt))
        .put("incident", incident)
        .put("alerts", as);
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
