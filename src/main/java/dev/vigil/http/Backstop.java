package dev.vigil.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.spi.context.storage.ContextLocal;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request whose handler threw where the router cannot catch it: inside a future's
 * callback or a timer. The router's failure handler catches what a handler throws directly; an
 * exception in a callback goes to Vert.x's exception handler instead, and the request waited
 * forever (that is how {@code GET /api/v1/oncall?at=+999999999-12-31T23:59:59Z} went unanswered).
 * Each request's {@link RoutingContext} is kept in its own (duplicated) Vert.x context, so the
 * exception handler, which runs on the context where the callback threw, finds the request and
 * fails it: the failure handler then answers a JSON 500 and logs the cause.
 *
 * <p>An exception thrown on a context that belongs to no request (a timer of the escalator, a store
 * callback) is logged as Vert.x would log it.
 */
public final class Backstop {
  private static final Logger log = LoggerFactory.getLogger(Backstop.class);

  /**
   * Registered when this class loads; Vert.x sizes its contexts' locals when it starts, so {@link
   * #prepare} must come first.
   */
  private static final ContextLocal<RoutingContext> REQUEST =
      ContextLocal.registerLocal(RoutingContext.class);

  private Backstop() {}

  /** Call before building the {@code Vertx} that {@link #install} will guard. */
  public static void prepare() {
    // loading the class registered REQUEST
  }

  /**
   * Makes {@code vertx}'s exception handler answer the request an uncaught exception belongs to.
   */
  public static void install(Vertx vertx) {
    vertx.exceptionHandler(Backstop::uncaught);
  }

  /** The first route of the router: remembers the request in its context. */
  static void track(RoutingContext ctx) {
    Context context = Vertx.currentContext();
    if (context != null) {
      context.putLocal(REQUEST, ctx);
    }
    ctx.next();
  }

  private static void uncaught(Throwable t) {
    Context context = Vertx.currentContext();
    RoutingContext ctx = context == null ? null : context.getLocal(REQUEST);
    if (ctx == null || ctx.response().ended() || ctx.response().closed()) {
      log.atError().setCause(t).log("vertx: unhandled exception: {}", String.valueOf(t));
      return;
    }
    if (!ctx.failed()) {
      ctx.fail(t); // the failure handler answers and logs
      return;
    }
    // thrown by the failure handler itself: answer plainly, once
    log.atError()
        .setCause(t)
        .addKeyValue("path", ctx.normalizedPath())
        .log("http: unhandled error while answering a failure");
    if (!ctx.response().headWritten()) {
      ctx.response()
          .setStatusCode(500)
          .putHeader("Content-Type", "application/json")
          .end("{\"error\":\"internal error; see the Vigil log\"}");
    } else {
      ctx.request().connection().close();
    }
  }
}
