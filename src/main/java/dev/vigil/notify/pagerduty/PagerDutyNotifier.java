package dev.vigil.notify.pagerduty;

import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.notify.Circuit;
import dev.vigil.notify.DeliveryException;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.Notifier;
import dev.vigil.notify.Outbox;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.notify.Pacer;
import dev.vigil.notify.Receipt;
import dev.vigil.notify.RetryPolicy;
import dev.vigil.oncall.TeamId;
import dev.vigil.ports.Failures;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Pages through the PagerDuty Events API v2 with Vert.x WebClient: a page is a {@code trigger} to
 * the team's routing key, an acknowledgement or resolution in Vigil an {@code acknowledge}/{@code
 * resolve} to every routing key the incident was paged to, all with {@code dedup_key} = incident
 * id.
 *
 * <p>Answers: 202 is done; 400 is a permanent failure carrying PagerDuty's {@code errors} (not
 * retried, and it does not trip the circuit); 429, 5xx, timeouts and network errors are transient
 * (the outbox retries; they count towards the circuit). Calls for one routing key are spaced out
 * ({@link Pacer}), as PagerDuty limits each key to about 120 events a minute.
 */
public final class PagerDutyNotifier implements Notifier {
  private final WebClient client;
  private final String eventsUrl;
  private final Function<TeamId, Optional<String>> routingKeys;
  private final IncidentStore incidents;
  private final Outbox outbox;
  private final Circuit circuit;
  private final Pacer pacer;
  private final RetryPolicy retry;
  private final long timeoutMillis;
  private final Function<IncidentId, String> incidentUrl;

  /**
   * @param routingKeys a team's routing key, if it has one
   * @param incidentUrl the link to an incident in Vigil, empty when {@code server.publicUrl} is not
   *     set
   */
  public PagerDutyNotifier(
      WebClient client,
      String eventsUrl,
      Function<TeamId, Optional<String>> routingKeys,
      IncidentStore incidents,
      Outbox outbox,
      Circuit circuit,
      Pacer pacer,
      RetryPolicy retry,
      long timeoutMillis,
      Function<IncidentId, String> incidentUrl) {
    this.client = client;
    this.eventsUrl = eventsUrl;
    this.routingKeys = routingKeys;
    this.incidents = incidents;
    this.outbox = outbox;
    this.circuit = circuit;
    this.pacer = pacer;
    this.retry = retry;
    this.timeoutMillis = timeoutMillis;
    this.incidentUrl = incidentUrl;
  }

  @Override
  public String integration() {
    return "pagerduty";
  }

  @Override
  public String state() {
    return "on, circuit " + circuit.describe();
  }

  @Override
  public Future<Receipt> deliver(OutboxEntry entry) {
    return deliver(entry, Map.of());
  }

  /**
   * Sends {@code trace} ({@code traceparent}) with each request, so PagerDuty's side of the call is
   * in the incident's trace.
   */
  @Override
  public Future<Receipt> deliver(OutboxEntry entry, Map<String, String> trace) {
    NotificationIntent i = entry.intent();
    return switch (i.kind()) {
      case PAGE -> trigger(i, trace);
      case UPDATE -> change(i, trace);
      default -> Future.succeededFuture(Receipt.nothing());
    };
  }

  /**
   * A trigger to the team's routing key. A page a runbook step asked for may carry its own {@code
   * summary} and {@code severity} in the payload; they replace the incident's.
   */
  private Future<Receipt> trigger(NotificationIntent i, Map<String, String> trace) {
    Optional<String> key = routingKeys.apply(i.team());
    if (key.isEmpty()) {
      return Future.failedFuture(
          DeliveryException.permanentFailure(
              "pagerduty: trigger "
                  + i.incident()
                  + " not sent: team "
                  + i.team()
                  + " has no pagerduty.routingKey"));
    }
    JsonObject payload = new JsonObject(i.payload());
    return incidents
        .get(i.incident())
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.failedFuture(
                    DeliveryException.permanentFailure(
                        "pagerduty: trigger " + i.incident() + ": no such incident"));
              }
              Incident inc = found.get();
              if (inc.status() == IncidentStatus.RESOLVED) {
                // resolved while the trigger waited (PagerDuty down): paging now would wake someone
                // for nothing
                return Future.succeededFuture(
                    new Receipt("", Map.of("skipped", "the incident is resolved")));
              }
              return incidents
                  .alerts(inc.id())
                  .compose(
                      alerts ->
                          send(
                              key.get(),
                              "trigger " + inc.id(),
                              Events.override(
                                  Events.trigger(
                                      key.get(), inc, alerts, incidentUrl.apply(inc.id())),
                                  payload.getString("summary"),
                                  payload.getString("severity")),
                              trace))
                  .map(
                      dedup ->
                          new Receipt(
                              "pagerduty (team " + i.team() + ", dedup_key " + dedup + ")",
                              Map.of(
                                  "dedupKey",
                                  dedup,
                                  "team",
                                  i.team().value(),
                                  "action",
                                  "trigger")));
            });
  }

  /**
   * Acknowledge/resolve to each routing key the incident's pages went to, and to the key of the
   * intent's team (a runbook step's acknowledge or resolve names the incident's team; for Vigil's
   * own updates that team is one of those paged).
   */
  private Future<Receipt> change(NotificationIntent i, Map<String, String> trace) {
    String status = new JsonObject(i.payload()).getString("status", "");
    String action =
        status.equals("acknowledged")
            ? "acknowledge"
            : status.equals("resolved") ? "resolve" : null;
    if (action == null) {
      return Future.succeededFuture(Receipt.nothing());
    }
    return outbox
        .forIncident(i.incident())
        .compose(
            entries -> {
              Set<TeamId> teams = new LinkedHashSet<>();
              for (OutboxEntry e : entries) {
                if (e.intent().kind() == NotificationIntent.Kind.PAGE
                    && e.intent().channels().contains("pagerduty")) {
                  teams.add(e.intent().team());
                }
              }
              teams.add(i.team());
              Set<String> keys = new LinkedHashSet<>();
              List<String> names = new ArrayList<>();
              for (TeamId t : teams) {
                routingKeys.apply(t).filter(keys::add).ifPresent(k -> names.add(t.value()));
              }
              if (keys.isEmpty()) {
                return Future.succeededFuture(
                    new Receipt(
                        "",
                        Map.of("skipped", "no team of the incident has a pagerduty.routingKey")));
              }
              Future<Void> chain = Future.succeededFuture();
              for (String k : keys) {
                chain =
                    chain.compose(
                        v ->
                            send(
                                    k,
                                    action + " " + i.incident(),
                                    Events.change(k, i.incident().toString(), action),
                                    trace)
                                .mapEmpty());
              }
              return chain.map(
                  v ->
                      new Receipt(
                          "pagerduty ("
                              + action
                              + ", team"
                              + (names.size() == 1 ? " " : "s ")
                              + String.join(", ", names)
                              + ", dedup_key "
                              + i.incident()
                              + ")",
                          Map.of(
                              "dedupKey",
                              i.incident().toString(),
                              "team",
                              String.join(",", names),
                              "action",
                              action)));
            });
  }

  /**
   * One event through the pacer (per routing key) and the circuit; completes with the dedup key
   * PagerDuty returned.
   */
  private Future<String> send(
      String routingKey, String what, JsonObject event, Map<String, String> trace) {
    return pacer.submit(
        "pagerduty:" + routingKey,
        null,
        () ->
            circuit.call(
                what,
                () ->
                    client
                        .postAbs(eventsUrl)
                        .timeout(timeoutMillis)
                        .putHeader("Content-Type", "application/json")
                        .putHeaders(MultiMap.caseInsensitiveMultiMap().addAll(trace))
                        .sendJsonObject(event)
                        .transform(
                            ar ->
                                ar.succeeded()
                                    ? answer(what, event, ar.result())
                                    : Future.failedFuture(
                                        DeliveryException.transientFailure(
                                            "pagerduty: " + what + ": " + describe(ar.cause()))))));
  }

  private Future<String> answer(String what, JsonObject event, HttpResponse<Buffer> r) {
    int sc = r.statusCode();
    if (sc == 202) {
      JsonObject body = json(r);
      return Future.succeededFuture(
          body == null
              ? event.getString("dedup_key")
              : body.getString("dedup_key", event.getString("dedup_key")));
    }
    if (retry.retryable(sc)) {
      return Future.failedFuture(DeliveryException.transientFailure("pagerduty: HTTP " + sc));
    }
    String reason = errors(r);
    return Future.failedFuture(
        DeliveryException.permanentFailure(
            "pagerduty: "
                + what
                + " rejected (HTTP "
                + sc
                + ")"
                + (reason.isEmpty() ? "" : ": " + reason)));
  }

  /** PagerDuty's {@code errors} (or message) from a refusal, for the log and the timeline. */
  private static String errors(HttpResponse<Buffer> r) {
    JsonObject body = json(r);
    if (body == null) {
      String text = r.bodyAsString();
      return text == null ? "" : Events.truncate(text.strip(), 300);
    }
    JsonArray errors = body.getJsonArray("errors");
    if (errors != null && !errors.isEmpty()) {
      List<String> out = new ArrayList<>();
      errors.forEach(e -> out.add(String.valueOf(e)));
      return Events.truncate(String.join("; ", out), 500);
    }
    return body.getString("message", "");
  }

  private static JsonObject json(HttpResponse<Buffer> r) {
    try {
      Buffer b = r.body();
      return b == null || b.length() == 0 ? null : b.toJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    String kind =
        e instanceof TimeoutException || (m != null && m.contains("timeout")) ? "timed out: " : "";
    return kind + Failures.describe(e);
  }
}
