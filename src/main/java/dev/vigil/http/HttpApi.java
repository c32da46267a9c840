package dev.vigil.http;

import dev.vigil.config.VigilConfig;
import dev.vigil.incident.IncidentException;
import dev.vigil.ingest.IngestHandler;
import dev.vigil.ingest.Overloaded;
import dev.vigil.notify.pagerduty.WebhookApi;
import dev.vigil.ports.StoreException;
import dev.vigil.slack.SlackApi;
import dev.vigil.web.BadRequest;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route Vigil serves, declared in one place, one line each. Handlers fail with exceptions;
 * {@link #failure} writes every error as {@code {"error": "..."}} with the right status.
 */
public final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  /** What the routes need. */
  public record Deps(
      VigilConfig config,
      IngestHandler ingest,
      IncidentApi incidents,
      RunbookApi runbooks,
      RunApi runs,
      Readiness readiness,
      PrometheusMeterRegistry metrics,
      OncallApi oncall,
      SlackApi slack,
      StatsApi stats,
      TimelineApi timeline,
      ReloadApi reload,
      WebhookApi pagerduty,
      Consumer<Router> console) {}

  /**
   * The unread body of a refused request that is read and dropped rather than closing the
   * connection.
   */
  static final long DRAIN_BYTES = 64 * 1024;

  /**
   * After answering a request refused before its body was read, how long and how many more bytes
   * the connection is read (and discarded, never parsed) before it closes: closing on unread bytes
   * makes the kernel send a reset, which can destroy the answer before the client reads it
   * ("lingering close", as nginx does it).
   */
  static final long LINGER_MILLIS = 2_000;

  static final long LINGER_BYTES = 1024 * 1024;

  private HttpApi() {}

  public static Router router(Vertx vertx, Deps deps) {
    Router router = Router.router(vertx);
    router
        .route()
        .handler(
            Backstop::track); // first: an exception thrown in a callback still finds its request
    VigilConfig.Auth auth = deps.config().auth();
    long limit = deps.config().server().maxBodyBytes();
    Authenticator webhook =
        new Authenticator(
            auth.webhookTokens(), "webhook", ctx -> deps.ingest().rejected("unauthorized", 1));
    Authenticator api = new Authenticator(auth.apiTokens(), "API", ctx -> {});

    router.get("/healthz").handler(ctx -> ctx.json(new JsonObject().put("status", "ok")));
    router
        .get("/readyz")
        .handler(
            ctx ->
                deps.readiness()
                    .evaluate()
                    .onSuccess(
                        r ->
                            ctx.response()
                                .setStatusCode(r.getBoolean("ready") ? 200 : 503)
                                .putHeader("Content-Type", "application/json")
                                .end(r.encode()))
                    .onFailure(ctx::fail));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(deps.metrics()));

    // Two token scopes: webhook tokens open the alert endpoints only, API tokens everything else
    // but the
    // integrations, whose senders sign each request instead (PagerDuty's webhooks; Slack's are
    // under /slack).
    router.routeWithRegex("/api/v1/alerts(/.*)?").handler(webhook);
    router.routeWithRegex("/api/v1/(?!alerts(/|$)|integrations/).*").handler(api);
    router.route("/-/*").handler(api);
    deps.pagerduty()
        .mount(
            router); // before /api/*'s body handler: it reads the raw body itself, within its own
    // limit
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(limit));
    router.post("/api/*").handler(HttpApi::requireJson);

    router.post("/api/v1/alerts/alertmanager").handler(deps.ingest()::alertmanager);
    router.post("/api/v1/alerts").handler(deps.ingest()::alerts);
    router.get("/api/v1/incidents").handler(deps.incidents()::list);
    router.get("/api/v1/incidents/:id").handler(deps.incidents()::show);
    router.get("/api/v1/incidents/:id/timeline").handler(deps.timeline()::timeline);
    router.post("/api/v1/incidents/:id/acknowledge").handler(deps.incidents()::acknowledge);
    router.post("/api/v1/incidents/:id/resolve").handler(deps.incidents()::resolve);
    router.post("/api/v1/incidents/:id/notes").handler(deps.incidents()::note);
    router.post("/api/v1/incidents/:id/escalate").handler(deps.oncall()::escalate);
    router.get("/api/v1/stats").handler(deps.stats()::stats);
    router.get("/api/v1/oncall").handler(deps.oncall()::oncall);
    router.get("/api/v1/overrides").handler(deps.oncall()::listOverrides);
    router.post("/api/v1/overrides").handler(deps.oncall()::addOverride);
    router.delete("/api/v1/overrides/:id").handler(deps.oncall()::deleteOverride);
    router.get("/api/v1/runbooks").handler(deps.runbooks()::list);
    router.get("/api/v1/runbooks/:name/graph").handler(deps.runbooks()::graph);
    router.post("/api/v1/runbooks/:name/runs").handler(deps.runs()::start);
    router.get("/api/v1/runs").handler(deps.runs()::list);
    router.get("/api/v1/runs/:id").handler(deps.runs()::show);
    router.post("/api/v1/runs/:id/cancel").handler(deps.runs()::cancel);
    router.post("/api/v1/runs/:id/approve").handler(deps.runs()::approve);
    router.post("/api/v1/runs/:id/reject").handler(deps.runs()::reject);
    router.post("/-/reload").handler(deps.reload()::reload);
    deps.slack().mount(router); // signed by Slack instead of a token; its own body limit
    deps.console().accept(router); // the web console: / and /ui/*, its own sessions

    router
        .route()
        .last()
        .handler(
            ctx ->
                ctx.fail(
                    new HttpException(
                        404,
                        "no such endpoint: "
                            + ctx.request().method()
                            + " "
                            + ctx.normalizedPath())));
    router.route().failureHandler(failure(deps.ingest()::rejected, limit));
    return router;
  }

  /**
   * What every request passes before the router: HTTP/1.1 requires a {@code Host} header, and a
   * body in any {@code Content-Encoding} but identity is refused (415) before it is read: Vigil
   * does not inflate request bodies (a 2 MB gzip bomb inflated to 2 GiB, ADR 0090 §9), and neither
   * Alertmanager nor Slack compresses them. False when the request has been answered (and its
   * connection is closing).
   */
  static boolean screen(HttpServerRequest req) {
    if (req.version() == HttpVersion.HTTP_1_1 && req.authority() == null) {
      refuse(
          req,
          400,
          req.headers().contains("Host")
              ? "Host header: malformed"
              : "Host header: missing (HTTP/1.1 requires one)");
      return false;
    }
    String encoding = req.getHeader("Content-Encoding");
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      refuse(
          req,
          415,
          "Content-Encoding \""
              + abbreviate(encoding)
              + "\" is not accepted: send the body uncompressed");
      return false;
    }
    return true;
  }

  /**
   * Answers with a JSON error and closes the connection, so that nothing more of the request is
   * read.
   */
  static void refuse(HttpServerRequest req, int status, String message) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end(new JsonObject().put("error", message).encode())
        .onComplete(ar -> req.connection().close());
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  /** POST bodies are JSON; anything else is refused before it is read. */
  private static void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? "" : type.split(";")[0].trim().toLowerCase();
    boolean empty = ctx.body().buffer() == null || ctx.body().buffer().length() == 0;
    if (!media.equals("application/json") && !(empty && type == null)) {
      ctx.fail(
          new HttpException(
              415,
              "Content-Type must be application/json, got "
                  + (type == null ? "none" : "\"" + type + "\"")));
      return;
    }
    ctx.next();
  }

  /**
   * Writes every failure as {@code {"error": "..."}}. A request refused before its body was read
   * ({@link #closeAfterRefusal}) has its connection closed after the answer, so the rest of a large
   * body is never read. {@code rejected} counts refused alerts by reason.
   */
  static Handler<RoutingContext> failure(BiConsumer<String, Integer> rejected, long limit) {
    return ctx -> {
      Throwable t = ctx.failure();
      int status = ctx.statusCode();
      String message;
      HttpServerResponse response = ctx.response();
      if (response.ended() || response.closed() || closed(t)) {
        // the client went away (an aborted upload, a reset): there is nobody to answer
        log.atDebug()
            .addKeyValue("path", ctx.normalizedPath())
            .log("http: request aborted by the client: {}", String.valueOf(t));
        return;
      }
      if (t instanceof HttpException h) {
        status = h.getStatusCode();
        message = h.getPayload() != null ? h.getPayload() : h.getMessage();
      } else if (t instanceof BadRequest) {
        status = 400;
        message = t.getMessage();
      } else if (t instanceof IncidentException ie) {
        status = ie.reason() == IncidentException.Reason.NOT_FOUND ? 404 : 409;
        message = t.getMessage();
      } else if (t instanceof Overloaded) {
        status = 503;
        message =
            "Vigil is overloaded ("
                + t.getMessage()
                + "); nothing from this request was stored, retry later";
        ctx.response().putHeader("Retry-After", "1");
      } else if (t instanceof StoreException) {
        status = 503;
        message = "the store is unavailable; nothing from this request was stored, retry later";
        ctx.response().putHeader("Retry-After", "5");
      } else if (t == null
          && status == 413
          && (ctx.normalizedPath().startsWith("/slack/")
              || ctx.normalizedPath().startsWith("/api/v1/integrations/"))) {
        message = "body too large";
      } else if (t == null && status == 413) {
        message = "body too large: the limit is " + limit + " bytes (server.maxBodyBytes)";
        if (ctx.normalizedPath().startsWith("/api/v1/alerts")) {
          rejected.accept("too_large", 1);
        }
      } else if (t == null) {
        message = status == 404 ? "not found" : "request failed";
      } else {
        status = 500;
        message = "internal error: " + t.getClass().getSimpleName() + "; see the Vigil log";
        log.atError()
            .setCause(t)
            .addKeyValue("path", ctx.normalizedPath())
            .log("http: unhandled error");
      }
      if (status == 415 && ctx.normalizedPath().startsWith("/api/v1/alerts")) {
        rejected.accept("unsupported_media_type", 1);
      }
      if (status == -1) {
        status = 500;
      }
      if (response.headWritten()) {
        ctx.request().connection().close(); // a half-written answer cannot be finished
        return;
      }
      boolean unread = closeAfterRefusal(ctx.request());
      if (unread) {
        response.putHeader("Connection", "close");
      }
      response
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", message).encode())
          .onComplete(
              ar -> {
                if (unread) {
                  linger(ctx.vertx(), ctx.request());
                }
              });
    };
  }

  /**
   * Discards what still arrives of a refused request's body, then closes (see {@link
   * #LINGER_MILLIS}).
   */
  static void linger(Vertx vertx, HttpServerRequest req) {
    HttpConnection conn = req.connection();
    if (req.isEnded()) {
      conn.close();
      return;
    }
    long[] discarded = {0};
    long timer = vertx.setTimer(LINGER_MILLIS, id -> conn.close());
    Runnable done =
        () -> {
          vertx.cancelTimer(timer);
          conn.close();
        };
    try {
      req.handler(
          b -> {
            discarded[0] += b.length();
            if (discarded[0] > LINGER_BYTES) {
              done.run();
            }
          });
      req.endHandler(v -> done.run());
      req.exceptionHandler(e -> done.run());
      req.resume();
    } catch (IllegalStateException e) {
      done.run(); // the request was read or ended meanwhile
    }
  }

  /**
   * Whether a request answered before its body was read should lose its connection: yes when the
   * body is chunked or declared larger than {@link #DRAIN_BYTES}, so that nothing more of it is
   * read; no for a small one, which Vert.x drains, so that requests pipelined behind it are still
   * answered.
   */
  static boolean closeAfterRefusal(HttpServerRequest req) {
    if (req.isEnded()) {
      return false;
    }
    if (req.getHeader("Transfer-Encoding") != null) {
      return true;
    }
    String length = req.getHeader("Content-Length");
    try {
      return length != null && Long.parseLong(length.trim()) > DRAIN_BYTES;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static boolean closed(Throwable t) {
    return t instanceof HttpClosedException
        || (t instanceof VertxException && "Connection was closed".equals(t.getMessage()));
  }
}
