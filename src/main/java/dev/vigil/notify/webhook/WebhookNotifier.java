package dev.vigil.notify.webhook;

import dev.vigil.config.VigilConfig;
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
import dev.vigil.notify.Receipt;
import dev.vigil.notify.RetryPolicy;
import dev.vigil.oncall.Channels;
import dev.vigil.oncall.TeamId;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Delivers pages, and their acknowledgements and resolutions, to a team's own HTTP endpoint ({@code
 * webhook: { url, secret }} in teams.yaml): a POST of {@link WebhookBody} signed with {@link
 * WebhookSignature}. A page goes to the paged team's webhook; an acknowledge or resolve to the
 * webhook of every team the incident was paged to that way.
 *
 * <p>Answers: 2xx is done; 429, 5xx, timeouts and network errors are transient (the outbox retries,
 * and they count towards the receiver's circuit); any other status, a redirect included (it is
 * never followed), is a permanent refusal. Each receiver (scheme, host and port) has its own {@link
 * Circuit} ({@code vigil_circuit_state{integration="webhook:host:port"}}), so one team's broken
 * endpoint does not hold back another's. Messages name the receiver by scheme, host and port only:
 * a URL's path or query may hold a token. The delivery id ({@code X-Vigil-Delivery}) is the outbox
 * key, the same on every retry, so a receiver can drop repeats.
 */
public final class WebhookNotifier implements Notifier {
  public static final String DELIVERY_HEADER = "X-Vigil-Delivery";
  public static final String EVENT_HEADER = "X-Vigil-Event";

  private final Vertx vertx;
  private final WebClient client;
  private final Function<TeamId, Optional<Channels.Webhook>> webhooks;
  private final IncidentStore incidents;
  private final Outbox outbox;
  private final VigilConfig.Breaker breaker;
  private final RetryPolicy retry;
  private final MeterRegistry metrics;
  private final Clock clock;
  private final Function<IncidentId, String> incidentUrl;
  private final Map<String, Circuit> circuits = new ConcurrentHashMap<>();

  /**
   * @param webhooks a team's webhook, if it has one (read at each delivery: a reload may change it)
   * @param incidentUrl the link to an incident in Vigil, empty when {@code server.publicUrl} is not
   *     set
   */
  public WebhookNotifier(
      Vertx vertx,
      WebClient client,
      Function<TeamId, Optional<Channels.Webhook>> webhooks,
      IncidentStore incidents,
      Outbox outbox,
      VigilConfig.Breaker breaker,
      RetryPolicy retry,
      MeterRegistry metrics,
      Clock clock,
      Function<IncidentId, String> incidentUrl) {
    this.vertx = vertx;
    this.client = client;
    this.webhooks = webhooks;
    this.incidents = incidents;
    this.outbox = outbox;
    this.breaker = breaker;
    this.retry = retry;
    this.metrics = metrics;
    this.clock = clock;
    this.incidentUrl = incidentUrl;
  }

  @Override
  public String integration() {
    return "webhook";
  }

  @Override
  public String state() {
    List<String> open = new ArrayList<>();
    circuits.forEach(
        (origin, c) -> {
          if (!c.describe().equals("closed")) {
            open.add(origin + " " + c.describe());
          }
        });
    return open.isEmpty() ? "on, circuits closed" : "on, circuit " + String.join(", ", open);
  }

  @Override
  public Future<Receipt> deliver(OutboxEntry entry) {
    NotificationIntent i = entry.intent();
    return switch (i.kind()) {
      case PAGE -> page(i);
      case UPDATE -> change(i);
      default -> Future.succeededFuture(Receipt.nothing());
    };
  }

  private Future<Receipt> page(NotificationIntent i) {
    Optional<Channels.Webhook> hook = webhooks.apply(i.team());
    if (hook.isEmpty()) {
      return Future.failedFuture(
          DeliveryException.permanentFailure(
              "webhook: trigger "
                  + i.incident()
                  + " not sent: team "
                  + i.team()
                  + " has no webhook.url"));
    }
    return incident(i, "trigger")
        .compose(
            inc -> {
              if (inc.status() == IncidentStatus.RESOLVED) {
                // resolved while the page waited: paging now would wake someone for nothing
                return Future.succeededFuture(
                    new Receipt("", Map.of("skipped", "the incident is resolved")));
              }
              return send(hook.get(), i, "trigger", i.level(), i.team(), inc)
                  .map(
                      status ->
                          new Receipt(
                              "webhook "
                                  + origin(hook.get().url())
                                  + " (team "
                                  + i.team()
                                  + ", HTTP "
                                  + status
                                  + ")",
                              Map.of(
                                  "status", Integer.toString(status), "team", i.team().value())));
            });
  }

  /** Acknowledge or resolve, to the webhook of each team the incident was paged to through one. */
  private Future<Receipt> change(NotificationIntent i) {
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
              // one request per receiver URL, in the order the teams were paged
              Map<String, Map.Entry<TeamId, Channels.Webhook>> targets = new LinkedHashMap<>();
              for (OutboxEntry e : entries) {
                if (e.intent().kind() == NotificationIntent.Kind.PAGE
                    && e.intent().channels().contains("webhook")) {
                  TeamId team = e.intent().team();
                  webhooks
                      .apply(team)
                      .ifPresent(h -> targets.putIfAbsent(h.url(), Map.entry(team, h)));
                }
              }
              if (targets.isEmpty()) {
                return Future.succeededFuture(Receipt.nothing());
              }
              return incident(i, action)
                  .compose(
                      inc -> {
                        // every receiver at once: one team's broken endpoint neither delays nor
                        // starves another's. If any fails, the
                        // intent is retried, and those that took it get it again (the same
                        // X-Vigil-Delivery; an acknowledgement is idempotent)
                        List<Future<Integer>> sends = new ArrayList<>();
                        List<String> names = new ArrayList<>();
                        for (Map.Entry<TeamId, Channels.Webhook> t : targets.values()) {
                          names.add(t.getKey().value());
                          sends.add(send(t.getValue(), i, action, 0, t.getKey(), inc));
                        }
                        Future<Void> all =
                            Future.join(sends)
                                .transform(
                                    ar -> {
                                      List<String> failed = new ArrayList<>();
                                      Throwable first = null;
                                      for (Future<Integer> f : sends) {
                                        if (f.failed()) {
                                          failed.add(f.cause().getMessage());
                                          first = first == null ? f.cause() : first;
                                        }
                                      }
                                      if (first == null) {
                                        return Future.<Void>succeededFuture();
                                      }
                                      return Future.<Void>failedFuture(
                                          first instanceof DeliveryException de
                                                  && failed.size() == 1
                                              ? de
                                              : DeliveryException.transientFailure(
                                                  String.join("; ", failed)));
                                    });
                        return all.map(
                            v ->
                                new Receipt(
                                    "webhook ("
                                        + action
                                        + ", team"
                                        + (names.size() == 1 ? " " : "s ")
                                        + String.join(", ", names)
                                        + ")",
                                    Map.of("team", String.join(",", names))));
                      });
            });
  }

  private Future<Incident> incident(NotificationIntent i, String action) {
    return incidents
        .get(i.incident())
        .compose(
            found ->
                found
                    .map(Future::succeededFuture)
                    .orElseGet(
                        () ->
                            Future.failedFuture(
                                DeliveryException.permanentFailure(
                                    "webhook: "
                                        + action
                                        + " "
                                        + i.incident()
                                        + ": no such incident"))));
  }

  /** One signed POST through the receiver's circuit; completes with the 2xx status. */
  private Future<Integer> send(
      Channels.Webhook hook,
      NotificationIntent i,
      String action,
      int level,
      TeamId team,
      Incident inc) {
    String origin = origin(hook.url());
    String what = action + " " + inc.id() + " to " + origin;
    return incidents
        .alerts(inc.id())
        .compose(
            alerts ->
                circuit(origin)
                    .call(
                        what,
                        () -> {
                          byte[] body =
                              WebhookBody.of(
                                      i.key(),
                                      action,
                                      level,
                                      team.value(),
                                      inc,
                                      alerts,
                                      incidentUrl.apply(inc.id()),
                                      clock.instant())
                                  .encode()
                                  .getBytes(StandardCharsets.UTF_8);
                          // signed as it is sent: a retry carries a fresh timestamp, so receivers
                          // can keep their window short
                          String signature =
                              WebhookSignature.header(
                                  hook.secret().reveal(), clock.instant().getEpochSecond(), body);
                          return client
                              .postAbs(hook.url())
                              .timeout(breaker.timeout().toMillis())
                              .followRedirects(false)
                              .putHeader("Content-Type", "application/json")
                              .putHeader(WebhookSignature.HEADER, signature)
                              .putHeader(DELIVERY_HEADER, i.key())
                              .putHeader(EVENT_HEADER, action)
                              .sendBuffer(Buffer.buffer(body))
                              .transform(
                                  ar ->
                                      ar.succeeded()
                                          ? answer(what, ar.result())
                                          : Future.failedFuture(
                                              DeliveryException.transientFailure(
                                                  "webhook: "
                                                      + what
                                                      + ": "
                                                      + describe(ar.cause(), hook.url()))));
                        }));
  }

  private Future<Integer> answer(String what, HttpResponse<Buffer> r) {
    int sc = r.statusCode();
    if (sc >= 200 && sc < 300) {
      return Future.succeededFuture(sc);
    }
    if (retry.retryable(sc)) {
      return Future.failedFuture(
          DeliveryException.transientFailure("webhook: " + what + ": HTTP " + sc));
    }
    String text = r.bodyAsString();
    String reason = text == null || text.isBlank() ? "" : ": " + cut(text.strip(), 300);
    return Future.failedFuture(
        DeliveryException.permanentFailure(
            "webhook: "
                + what
                + " rejected (HTTP "
                + sc
                + ")"
                + (sc >= 300 && sc < 400 ? ", a redirect, which Vigil does not follow" : "")
                + reason));
  }

  private Circuit circuit(String origin) {
    return circuits.computeIfAbsent(
        origin,
        o ->
            new Circuit(
                vertx, "webhook:" + o, breaker, breaker.timeout().toMillis() + 1_000, metrics));
  }

  /**
   * {@code https://hooks.example:443}: the receiver without path or query, which may hold a token.
   */
  static String origin(String url) {
    URI u = URI.create(url);
    int port = u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    return u.getScheme().toLowerCase() + "://" + u.getHost() + ":" + port;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  /**
   * Why a request got no answer, without the URL's path and query: Vert.x's messages quote them (a
   * timeout says "... executing POST /path?token=..."), and they may hold a token.
   */
  static String describe(Throwable e, String url) {
    String m = e.getMessage();
    String kind =
        e instanceof TimeoutException || (m != null && m.contains("timeout")) ? "timed out: " : "";
    if (m == null || m.isBlank()) {
      return kind + e.getClass().getSimpleName();
    }
    URI u = URI.create(url);
    for (String part : new String[] {u.getRawQuery(), u.getQuery(), u.getRawPath(), u.getPath()}) {
      if (part != null && part.length() > 1) {
        m = m.replace(part, "…");
      }
    }
    return kind + m;
  }
}
