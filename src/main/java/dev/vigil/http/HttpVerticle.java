package dev.vigil.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP listener on one event loop. The daemon deploys one per core on the same host and port,
 * and Vert.x spreads connections across them, so request parsing uses every core.
 */
public final class HttpVerticle extends VerticleBase {
  private final HttpApi.Deps deps;
  private final HttpServerOptions options;
  private final long shutdownMillis;
  private HttpServer server;

  public HttpVerticle(HttpApi.Deps deps, HttpServerOptions options, long shutdownMillis) {
    this.deps = deps;
    this.options = options;
    this.shutdownMillis = shutdownMillis;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options);
    return server.requestHandler(HttpApi.router(vertx, deps)).listen();
  }

  /** Stops taking connections and lets in-flight requests finish, up to the shutdown timeout. */
  @Override
  public Future<?> stop() {
    return server.shutdown(shutdownMillis, TimeUnit.MILLISECONDS);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
