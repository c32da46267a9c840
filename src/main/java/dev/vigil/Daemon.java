package dev.vigil;

import dev.vigil.classify.Classifier;
import dev.vigil.config.ConfigException;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.Escalator;
import dev.vigil.escalation.HandoffDigester;
import dev.vigil.escalation.Routing;
import dev.vigil.escalation.RunbookGate;
import dev.vigil.heartbeat.HeartbeatWatch;
import dev.vigil.http.HttpApi;
import dev.vigil.http.IncidentApi;
import dev.vigil.http.OncallApi;
import dev.vigil.http.Readiness;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.ingest.GroupCommitter;
import dev.vigil.ingest.IngestHandler;
import dev.vigil.notify.LogNotifier;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.store.Database;
import dev.vigil.store.SqlEscalationStore;
import dev.vigil.store.SqlIncidentStore;
import dev.vigil.store.SqlOutbox;
import dev.vigil.store.SqlOverrideStore;
import dev.vigil.timer.VertxScheduler;
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
  private Escalator escalator;
  private HandoffDigester digester;
  private HeartbeatWatch heartbeats;
  private long housekeeping = -1;

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

  /**
   * The flow of an alert, assembled: ingest → commit → classify (inside the commit) → escalation
   * reacting to the commit's incident changes → outbox → notifier.
   */
  private Future<Void> wire(Clock clock) {
    return vertx.executeBlocking(() -> readRouting(config)).compose(routing -> Database.open(vertx, config.store()).compose(database -> {
      db = database;
      SqlIncidentStore sqlIncidents = new SqlIncidentStore(db);
      Overrides overrides = new Overrides(new SqlOverrideStore(db), clock);
      Resolver resolver = new Resolver(routing.teams().schedule(), clock);
      Classifier triage = new Classifier(routing.classification(), resolver, overrides::snapshot);
      VertxScheduler scheduler = new VertxScheduler(vertx, clock);
      SqlOutbox outbox = new SqlOutbox(db);
      LogNotifier notifier = new LogNotifier(outbox, clock);
      Runnable kick = () -> notifier.drain().onFailure(e -> log.atError().setCause(e).log("notify: delivering the outbox failed: {}", e.getMessage()));
      SqlEscalationStore escalations = new SqlEscalationStore(db);
      // the API's acks and resolutions reach escalation through the store; ingest's through afterCommit
      IncidentStore incidents = new WatchedIncidentStore(sqlIncidents,
          alerts -> heartbeats.observe(alerts),
          changes -> escalator.onChanges(changes));
      escalator = new Escalator(escalations, incidents, routing.teams(), overrides::snapshot, RunbookGate.NONE, scheduler, clock, kick);
      digester = new HandoffDigester(routing.teams(), incidents, escalations, outbox, scheduler, clock, kick);
      heartbeats = new HeartbeatWatch(routing.classification().heartbeats(), incidents, triage, scheduler, clock,
          result -> escalator.onChanges(result.changes()));
      Counter opened = Counter.builder("vigil_incidents_opened_total").description("Incidents opened").register(metrics);
      committer = new GroupCommitter(vertx, incidents, triage, clock, config.ingest().queueLimit(),
          config.ingest().maxBatchAlerts(), metrics, result -> afterCommit(result, opened));
      IngestHandler ingest = new IngestHandler(committer, clock, metrics);
      Readiness readiness = new Readiness()
          .check("store", db::ping)
          .check("config", Future::succeededFuture)
          .integration("pagerduty", () -> "off: notifications go to the log and the incident timeline")
          .integration("slack", () -> config.slack().enabled() ? "configured" : "off: no slack.botToken configured")
          .integration("oncall", () -> routing.teamsConfigured() ? routing.teams().schedule().teams().size() + " team(s)"
              : "off: no teams.yaml, nobody is paged");
      HttpApi.Deps deps = new HttpApi.Deps(config, ingest, new IncidentApi(incidents, clock), readiness, metrics,
          new OncallApi(resolver, overrides, escalator, clock));
      server = vertx.createHttpServer(new HttpServerOptions()
          .setHost(config.server().host())
          .setPort(config.server().port())
          .setCompressionSupported(true)
          .setDecompressionSupported(true));
      // durable work resumes before requests arrive: overdue ack timers fire at once
      return overrides.refresh()
          .compose(v -> escalator.start())
          .compose(v -> heartbeats.start())
          .compose(v -> {
            if (routing.teams().handoffDigest()) {
              digester.start();
            }
            // retries and intents written by another replica; also picks overrides added elsewhere
            housekeeping = vertx.setPeriodic(5_000, id -> {
              kick.run();
              overrides.refresh();
            });
            kick.run();
            return server.requestHandler(HttpApi.router(vertx, deps)).listen();
          });
    })).onSuccess(s -> log.atInfo().addKeyValue("host", config.server().host()).addKeyValue("port", s.actualPort())
        .addKeyValue("store", db.dialect().name().toLowerCase()).log("vigil: listening"))
        .mapEmpty();
  }

  /** teams.yaml and classification.yaml; any error stops the start with every problem listed. */
  private static Routing readRouting(VigilConfig config) throws ConfigException {
    Problems problems = new Problems();
    java.util.Optional<Routing> routing = Routing.read(config, problems);
    problems.throwIfErrors();
    return routing.orElseThrow();
  }

  private void afterCommit(IngestResult result, Counter opened) {
    result.changes().forEach(c -> {
      if (c.kind() == dev.vigil.incident.IncidentChange.Kind.OPENED) {
        opened.increment();
      }
    });
    escalator.onChanges(result.changes());
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
    if (housekeeping >= 0) {
      vertx.cancelTimer(housekeeping);
    }
    if (escalator != null) {
      escalator.stop(); // the stored due times stay: the next start re-arms them
      digester.stop();
      heartbeats.stop();
    }
    Promise<Void> done = Promise.promise();
    Future<Void> http = server == null ? Future.succeededFuture() : server.shutdown(timeout, TimeUnit.MILLISECONDS);
    http.transform(ar -> committer == null ? Future.succeededFuture() : committer.drain())
        .transform(ar -> db == null ? Future.succeededFuture() : db.close())
        .onComplete(ar -> vertx.close().onComplete(done));
    return done.future();
  }
}
