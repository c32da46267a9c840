package dev.vigil.fake;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PagerDuty Events API v2 ({@code POST /v2/enqueue}) on loopback, port 0, validating events as
 * PagerDuty documents them: a 32-character routing key, an {@code event_action} of trigger,
 * acknowledge or resolve, a {@code dedup_key} (at most 255 characters, required for acknowledge and
 * resolve), and for a trigger a payload with summary (at most 1024), source and one of the four
 * severities; links need an href. Invalid events get 400 with {@code errors}; valid ones 202 with
 * the dedup key. Faults can be injected: the first N requests failing, a share failing at random
 * with 500/503/429, random latency, being down (503), or hanging (never answering).
 *
 * <p>Accepted events are recorded; {@link #accepted(String, String)} counts them per dedup key and
 * action. Thread-safe. Close it to stop its own Vert.x.
 */
public final class FakePagerDuty implements AutoCloseable {
  static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");
  static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<JsonObject> accepted = new ArrayList<>();
  private final List<JsonObject> received = new ArrayList<>();
  private final List<String> traceparents = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final Random random = new Random(42);
  private volatile int failFirst;
  private volatile double failRate;
  private volatile int maxLatencyMillis;
  private volatile boolean down;
  private volatile boolean hang;

  public FakePagerDuty() {
    Router router = Router.router(vertx);
    router.post("/v2/enqueue").handler(BodyHandler.create(false).setBodyLimit(512 * 1024));
    router.post("/v2/enqueue").handler(this::enqueue);
    try {
      server =
          vertx
              .createHttpServer()
              .requestHandler(router)
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/v2/enqueue";
  }

  /** The first {@code n} requests from now fail with 503 or 429 (alternating). */
  public FakePagerDuty failFirst(int n) {
    failFirst = n;
    return this;
  }

  /** This share of requests fails with 500, 503 or 429, chosen at random (seeded). */
  public FakePagerDuty failRate(double rate) {
    failRate = rate;
    return this;
  }

  /** Each answer waits a random 0..max ms. */
  public FakePagerDuty latency(int maxMillis) {
    maxLatencyMillis = maxMillis;
    return this;
  }

  /** Every request gets 503 while down. */
  public FakePagerDuty down(boolean down) {
    this.down = down;
    return this;
  }

  /** Requests are read and never answered while hanging (a crash-in-flight scenario). */
  public FakePagerDuty hang(boolean hang) {
    this.hang = hang;
    return this;
  }

  private void enqueue(RoutingContext ctx) {
    int n = requests.incrementAndGet();
    JsonObject event;
    try {
      event = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      event = null;
    }
    synchronized (this) {
      received.add(event == null ? new JsonObject() : event.copy());
      traceparents.add(ctx.request().getHeader("traceparent"));
    }
    if (hang) {
      return;
    }
    int status;
    int delay;
    synchronized (random) {
      boolean fail = down || n <= failFirst || random.nextDouble() < failRate;
      status =
          !fail
              ? 0
              : down
                  ? 503
                  : (n <= failFirst
                      ? (n % 2 == 1 ? 503 : 429)
                      : List.of(500, 503, 429).get(random.nextInt(3)));
      delay = maxLatencyMillis > 0 ? random.nextInt(maxLatencyMillis + 1) : 0;
    }
    JsonObject e = event;
    Runnable answer =
        () -> {
          if (status != 0) {
            failures.incrementAndGet();
            ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(
                    new JsonObject()
                        .put("status", "unavailable")
                        .put("message", "injected failure")
                        .put("errors", new JsonArray())
                        .encode());
            return;
          }
          List<String> errors = validate(e);
          if (!errors.isEmpty()) {
            ctx.response()
                .setStatusCode(400)
                .putHeader("Content-Type", "application/json")
                .end(
                    new JsonObject()
                        .put("status", "invalid event")
                        .put("message", "Event object is invalid")
                        .put("errors", new JsonArray(new ArrayList<Object>(errors)))
                        .encode());
            return;
          }
          synchronized (this) {
            accepted.add(e.copy());
          }
          ctx.response()
              .setStatusCode(202)
              .putHeader("Content-Type", "application/json")
              .end(
                  new JsonObject()
                      .put("status", "success")
                      .put("message", "Event processed")
                      .put("dedup_key", e.getString("dedup_key"))
                      .encode());
        };
    if (delay > 0) {
      vertx.setTimer(delay, t -> answer.run());
    } else {
      answer.run();
    }
  }

  /** PagerDuty's documented rules for an alert event; empty when valid. */
  static List<String> validate(JsonObject e) {
    List<String> errors = new ArrayList<>();
    if (e == null) {
      return List.of("Event object is not JSON");
    }
    Object key = e.getValue("routing_key");
    if (!(key instanceof String k) || k.length() != 32) {
      errors.add("'routing_key' is invalid: it must be a 32-character integration key");
    }
    String action = e.getValue("event_action") instanceof String s ? s : null;
    if (action == null || !ACTIONS.contains(action)) {
      errors.add("'event_action' is invalid (must be one of trigger, acknowledge, resolve)");
    }
    Object dedup = e.getValue("dedup_key");
    if (dedup != null && (!(dedup instanceof String d) || d.length() > 255)) {
      errors.add("'dedup_key' is invalid (a string of at most 255 characters)");
    }
    if (("acknowledge".equals(action) || "resolve".equals(action)) && dedup == null) {
      errors.add("'dedup_key' is missing and is required for " + action);
    }
    if ("trigger".equals(action)) {
      JsonObject p = e.getValue("payload") instanceof JsonObject o ? o : null;
      if (p == null) {
        errors.add("'payload' is missing or not an object");
      } else {
        String summary = p.getValue("summary") instanceof String s ? s : null;
        if (summary == null || summary.isEmpty()) {
          errors.add("'payload.summary' is missing");
        } else if (summary.codePointCount(0, summary.length()) > 1024) {
          errors.add("'payload.summary' is longer than 1024 characters");
        }
        if (!(p.getValue("source") instanceof String s) || s.isEmpty()) {
          errors.add("'payload.source' is missing");
        }
        if (!(p.getValue("severity") instanceof String s) || !SEVERITIES.contains(s)) {
          errors.add(
              "'payload.severity' is invalid (must be one of critical, error, warning, info)");
        }
        if (p.containsKey("custom_details")
            && !(p.getValue("custom_details") instanceof JsonObject)) {
          errors.add("'payload.custom_details' must be an object");
        }
      }
      if (e.containsKey("links")) {
        if (!(e.getValue("links") instanceof JsonArray links)) {
          errors.add("'links' must be an array");
        } else {
          for (Object l : links) {
            if (!(l instanceof JsonObject o) || !(o.getValue("href") instanceof String)) {
              errors.add("'links' entries need an href");
            }
          }
        }
      }
    }
    return errors;
  }

  /** Accepted (202) events with this dedup key and action. */
  public synchronized long accepted(String dedupKey, String action) {
    return accepted.stream()
        .filter(
            e ->
                dedupKey.equals(e.getString("dedup_key"))
                    && action.equals(e.getString("event_action")))
        .count();
  }

  /** Every accepted event, in order. */
  public synchronized List<JsonObject> acceptedEvents() {
    return List.copyOf(accepted);
  }

  /** Every request body received (accepted, refused or failed), in order. */
  /**
   * The {@code traceparent} header of each request received, in order (null where there was none).
   */
  public synchronized List<String> traceparents() {
    return new ArrayList<>(traceparents);
  }

  public synchronized List<JsonObject> received() {
    return List.copyOf(received);
  }

  public int requests() {
    return requests.get();
  }

  /** Requests answered with an injected 429/5xx. */
  public int injectedFailures() {
    return failures.get();
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
