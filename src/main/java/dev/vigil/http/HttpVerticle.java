package dev.vigil.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP listener on one event loop. The daemon deploys one per core on the same host and port,
 * and Vert.x spreads connections across them, so request parsing uses every core. Each listener
 * holds its connections to {@code server.*}'s limits ({@link ConnectionLimiter}) and screens each
 * request ({@link HttpApi#screen}) before the router sees it.
 */
public final class HttpVerticle extends VerticleBase {
  private final HttpApi.Deps deps;
  private final HttpServerOptions options;
  private final long shutdownMillis;
  private final AtomicInteger connections;
  private HttpServer server;
  private ConnectionLimiter limiter;

  /**
   * @param connections open connections across every listener of the daemon, shared by them all
   */
  public HttpVerticle(
      HttpApi.Deps deps,
      HttpServerOptions options,
      long shutdownMillis,
      AtomicInteger connections) {
    this.deps = deps;
    this.options = options;
    this.shutdownMillis = shutdownMillis;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    var limits = deps.config().server().limits();
    limiter = new ConnectionLimiter(vertx, limits, connections, deps.metrics());
    Router router = HttpApi.router(vertx, deps);
    server =
        vertx
            .createHttpServer(options)
            .connectionHandler(limiter::connected)
            .requestHandler(
                req -> {
                  if (limiter.admit(req) && HttpApi.screen(req)) {
                    router.handle(req);
                  }
                });
    return server.listen().onSuccess(s -> limiter.start());
  }

  /**
   * Stops taking connections, closes the idle ones at once (a keep-alive connection would otherwise
   * hold the stop for the whole timeout) and lets in-flight requests finish, up to the shutdown
   * timeout.
   */
  @Override
  public Future<?> stop() {
    limiter.closeIdle();
    return server
        .shutdown(shutdownMillis, TimeUnit.MILLISECONDS)
        .eventually(
            () -> {
              limiter.stop();
              return Future.succeededFuture();
            });
  }

  public int actualPort() {
    return server.actualPort();
  }
}
