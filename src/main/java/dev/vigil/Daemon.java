package dev.vigil;

import dev.vigil.classify.LabelTriage;
import dev.vigil.classify.Triage;
import dev.vigil.config.VigilConfig;
import dev.vigil.http.HttpApi;
import dev.vigil.http.IncidentApi;
import dev.vigil.http.Readiness;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.ingest.GroupCommitter;
import dev.vigil.ingest.IngestHandler;
import dev.vigil.store.Database;
import dev.vigil.store.SqlIncidentStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Vigil: the store, the ingest pipeline and the HTTP API, wired in {@link #start}.
 * {@link #stop} drains in order: stop taking requests, finish queued commits, close the store.
 */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final VigilConfig config;
  private final Vertx vertx;
  private final PrometheusMeterRegistry metrics;
  private Database db;
  private GroupCommitter committer;
  private HttpServer server;

  private Daemon(VigilConfig config, Vertx vertx, PrometheusMeterRegistry metrics) {
    this.config = config;
    this.vertx = vertx;
    this.metrics = metrics;
  }

  /** Starts a daemon; the future fails (and everything started is closed) if any part cannot start. */
  public static Future<Daemon> start(VigilConfig config, Clock clock) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
            .setJvmMetricsEnabled(true)
            .setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(metrics))
        .build();
    Daemon daemon = new Daemon(config, vertx, metrics);
    return daemon.wire(clock)
        .map(v -> daemon)
        .recover(e -> daemon.stop().transform(x -> Future.failedFuture(e)));
  }

  /** The flow of an alert, assembled: ingest → commit → (incident changes to later stages). */
  private Future<Void> wire(Clock clock) {
    return Database.open(vertx, config.store()).compose(database -> {
      db = database;
      IncidentStore incidents = new SqlIncidentStore(db);
      Triage triage = new LabelTriage();
      Counter opened = Counter.builder("vigil_incidents_opened_total").description("Incidents opened").register(metrics);
      committer = new GroupCommitter(vertx, incidents, triage, clock, config.ingest().queueLimit(),
          config.ingest().maxBatchAlerts(), metrics, result -> afterCommit(result, opened));
      IngestHandler ingest = new IngestHandler(committer, clock, metrics);
      Readiness readiness = new Readiness()
          .check("store", db::ping)
          .check("config", Future::succeededFuture)
          .integration("pagerduty", () -> "off: notifications go to the log and the incident timeline")
          .integration("slack", () -> config.slack().enabled() ? "configured" : "off: no slack.botToken configured");
      HttpApi.Deps deps = new HttpApi.Deps(config, ingest, new IncidentApi(incidents, clock), readiness, metrics);
      server = vertx.createHttpServer(new HttpServerOptions()
          .setHost(config.server().host())
          .setPort(config.server().port())
          .setCompressionSupported(true)
          .setDecompressionSupported(true));
      return server.requestHandler(HttpApi.router(vertx, deps)).listen();
    }).onSuccess(s -> log.atInfo().addKeyValue("host", config.server().host()).addKeyValue("port", s.actualPort())
        .addKeyValue("store", db.dialect().name().toLowerCase()).log("vigil: listening"))
        .mapEmpty();
  }

  private void afterCommit(IngestResult result, Counter opened) {
    result.changes().forEach(c -> {
      if (c.kind() == dev.vigil.incident.IncidentChange.Kind.OPENED) {
        opened.increment();
      }
    });
  }

  /** The port the HTTP server listens on (the real one when the config says 0). */
  public int port() {
    return server.actualPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Stops accepting, lets in-flight requests and queued commits finish, closes the store and Vert.x.
   * The returned future is not tied to any Vert.x context, so it completes even as Vert.x closes.
   */
  public Future<Void> stop() {
    long timeout = config.server().shutdownTimeout().toMillis();
    Promise<Void> done = Promise.promise();
    Future<Void> http = server == null ? Future.succeededFuture() : server.shutdown(timeout, TimeUnit.MILLISECONDS);
    http.transform(ar -> committer == null ? Future.succeededFuture() : committer.drain())
        .transform(ar -> db == null ? Future.succeededFuture() : db.close())
        .onComplete(ar -> vertx.close().onComplete(done));
    return done.future();
  }
}
