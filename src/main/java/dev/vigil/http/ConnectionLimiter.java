package dev.vigil.http;

import dev.vigil.config.Durations;
import dev.vigil.config.VigilConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds every connection of one listener to {@code server.*}'s limits: a connection beyond {@code
 * maxConnections} is closed as soon as it is accepted; one whose first request's headers are not
 * complete within {@code headerTimeout}, or whose request body has not arrived within {@code
 * bodyTimeout} (408), is closed; a keep-alive connection waiting longer than {@code idleTimeout}
 * for its next request is closed; once {@link #closeIdle} is called (graceful stop), every idle
 * connection is closed at once and each busy one as soon as its answer is out.
 *
 * <p>Nothing is armed per request: a sweep every quarter of the shortest timeout (at most 1 s)
 * looks at each connection's current request, so a request costs one map lookup and a clock read.
 * Timeouts are therefore enforced to within that tick.
 *
 * <p>Confined to its listener's event loop, except the connection count, which all listeners share.
 */
final class ConnectionLimiter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
  private static final long WARN_EVERY = TimeUnit.MINUTES.toNanos(1);

  private final Vertx vertx;
  private final VigilConfig.Limits limits;
  private final AtomicInteger open;
  private final MeterRegistry metrics;
  private final Map<HttpConnection, Conn> conns = new IdentityHashMap<>();
  private final long tickMs;
  private long timer = -1;
  private boolean stopping;
  private long lastWarning = System.nanoTime() - WARN_EVERY;

  /**
   * One connection: when it opened, the request it is on (null before the first), and since when it
   * is idle.
   */
  private static final class Conn {
    final HttpConnection connection;
    final long opened = System.nanoTime();
    boolean refused;
    HttpServerRequest current;
    long started;
    long idleSince;

    Conn(HttpConnection connection) {
      this.connection = connection;
    }
  }

  /**
   * @param open connections open across every listener of the daemon (shared)
   */
  ConnectionLimiter(
      Vertx vertx, VigilConfig.Limits limits, AtomicInteger open, MeterRegistry metrics) {
    this.vertx = vertx;
    this.limits = limits;
    this.open = open;
    this.metrics = metrics;
    long shortest =
        Math.min(
            limits.headerTimeout().toMillis(),
            Math.min(limits.bodyTimeout().toMillis(), limits.idleTimeout().toMillis()));
    this.tickMs = Math.max(5, Math.min(1000, shortest / 4));
  }

  /** Starts the sweep; on the listener's event loop. */
  void start() {
    timer = vertx.setPeriodic(tickMs, id -> sweep());
  }

  /** Counts the connection and refuses it (closes it at once) beyond {@code maxConnections}. */
  void connected(HttpConnection c) {
    Conn conn = new Conn(c);
    conns.put(c, conn);
    int now = open.incrementAndGet();
    c.closeHandler(
        v -> {
          conns.remove(c);
          open.decrementAndGet();
        });
    if (now > limits.maxConnections() || stopping) {
      conn.refused = true;
      closed("refused");
      long t = System.nanoTime();
      if (!stopping && t - lastWarning >= WARN_EVERY) {
        lastWarning = t;
        log.atWarn()
            .addKeyValue("open", now - 1)
            .log(
                "http: refusing connections: {} are open, the most allowed (server.maxConnections)",
                limits.maxConnections());
      }
      c.close();
    }
  }

  /**
   * Notes the request its connection is on; false when the connection was refused and the request
   * must be ignored.
   */
  boolean admit(HttpServerRequest req) {
    Conn conn = conns.get(req.connection());
    if (conn == null) {
      return true;
    }
    if (conn.refused) {
      return false;
    }
    conn.current = req;
    conn.started = System.nanoTime();
    conn.idleSince = 0;
    return true;
  }

  /**
   * Graceful stop: idle connections are closed now, busy ones once answered; new ones are refused.
   */
  void closeIdle() {
    stopping = true;
    sweep();
  }

  /** Stops the sweep. */
  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    List<Conn> all = new ArrayList<>(conns.values()); // closing one changes the map
    for (Conn c : all) {
      if (c.refused) {
        continue;
      }
      if (c.current == null) {
        if (stopping) {
          close(c, "stopping");
        } else if (now - c.opened > limits.headerTimeout().toNanos()) {
          close(c, "header_timeout");
        }
        continue;
      }
      HttpServerResponse response = c.current.response();
      if (!response.ended()) {
        if (!c.current.isEnded() && now - c.started > limits.bodyTimeout().toNanos()) {
          bodyTimeout(c);
        }
        continue;
      }
      if (c.idleSince == 0) {
        c.idleSince = now;
      }
      if (stopping) {
        close(c, "stopping");
      } else if (now - c.idleSince > limits.idleTimeout().toNanos()) {
        close(c, "idle_timeout");
      }
    }
  }

  /**
   * 408 when nothing has been answered yet, then the connection closes: its body will not be read.
   */
  private void bodyTimeout(Conn c) {
    HttpServerResponse response = c.current.response();
    if (response.headWritten() || response.closed()) {
      close(c, "body_timeout");
      return;
    }
    closed("body_timeout");
    c.refused = true; // closing: the sweep leaves it alone
    response
        .setStatusCode(408)
        .putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end(
            new JsonObject()
                .put(
                    "error",
                    "the request body did not arrive within "
                        + Durations.format(limits.bodyTimeout())
                        + " (server.bodyTimeout)")
                .encode())
        .onComplete(ar -> c.connection.close());
  }

  private void close(Conn c, String why) {
    c.refused = true;
    closed(why);
    log.atDebug().addKeyValue("reason", why).log("http: closing a connection ({})", why);
    c.connection.close();
  }

  private void closed(String why) {
    Counter.builder("vigil_http_connections_closed_total")
        .description("Connections Vigil closed or refused to hold them to server.* limits")
        .tag("reason", why)
        .register(metrics)
        .increment();
  }
}
