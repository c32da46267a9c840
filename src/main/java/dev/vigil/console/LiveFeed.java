package dev.vigil.console;

import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.Stage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's live updates: a pipeline stage that tells every open console page, over Server-Sent
 * Events, which incidents a commit changed ({@code data: INC-42}, nothing more: the page then
 * fetches what it shows through the same reads as any page). It never holds the pipeline: each
 * write is handed to the subscriber's own event loop, and a subscriber that cannot keep up (its
 * write queue is full) is disconnected; its browser reconnects and reloads.
 */
public final class LiveFeed implements Stage {
  /** The most pages listening at once; more are answered 503. */
  static final int MAX_SUBSCRIBERS = 1000;

  private static final long KEEPALIVE_MILLIS = 20_000;

  private record Subscriber(HttpServerResponse response, Context context) {}

  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

  @Override
  public String name() {
    return "console";
  }

  @Override
  public Future<Void> accept(List<IncidentEvent> events) {
    if (subscribers.isEmpty()) {
      return Future.succeededFuture();
    }
    Set<String> ids = new LinkedHashSet<>();
    events.forEach(e -> ids.add(e.id().toString()));
    StringBuilder b = new StringBuilder();
    ids.forEach(id -> b.append("event: incident\ndata: ").append(id).append("\n\n"));
    String message = b.toString();
    subscribers.forEach(s -> s.context().runOnContext(v -> send(s, message)));
    return Future.succeededFuture();
  }

  /** How many pages are listening now. */
  public int subscribers() {
    return subscribers.size();
  }

  /** {@code GET /ui/events}: keeps the response open and writes events to it. */
  void subscribe(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (subscribers.size() >= MAX_SUBSCRIBERS) {
      response.setStatusCode(503).putHeader("Retry-After", "10").end("too many live pages");
      return;
    }
    Subscriber s = new Subscriber(response, Vertx.currentContext());
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    response.setWriteQueueMaxSize(64 * 1024);
    subscribers.add(s);
    Vertx vertx = ctx.vertx();
    long keepalive = vertx.setPeriodic(KEEPALIVE_MILLIS, id -> send(s, ": keepalive\n\n"));
    Runnable gone =
        () -> {
          subscribers.remove(s);
          vertx.cancelTimer(keepalive);
        };
    response.closeHandler(v -> gone.run());
    response.endHandler(v -> gone.run());
    // a graceful stop waits for open requests: end this one as soon as the stop begins
    ctx.request()
        .connection()
        .shutdownHandler(
            v -> {
              gone.run();
              if (!response.ended()) {
                response.end();
              }
            });
    response.write("retry: 2000\n: connected\n\n");
  }

  private void send(Subscriber s, String message) {
    HttpServerResponse r = s.response();
    if (r.ended() || r.closed()) {
      subscribers.remove(s);
      return;
    }
    if (r.writeQueueFull()) {
      subscribers.remove(s);
      r.reset(); // a page that cannot keep up reconnects and reloads what it shows
      return;
    }
    r.write(message);
  }
}
