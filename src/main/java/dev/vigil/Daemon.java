package dev.vigil;

import dev.vigil.classify.Classifier;
import dev.vigil.config.VigilConfig;
import dev.vigil.console.LiveFeed;
import dev.vigil.escalation.Escalator;
import dev.vigil.escalation.HandoffDigester;
import dev.vigil.escalation.LiveRouting;
import dev.vigil.escalation.Routing;
import dev.vigil.ha.Leadership;
import dev.vigil.ha.Replica;
import dev.vigil.ha.Sweeps;
import dev.vigil.heartbeat.HeartbeatWatch;
import dev.vigil.http.HttpApi;
import dev.vigil.http.ReloadApi;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.Pipeline;
import dev.vigil.incident.Stage;
import dev.vigil.ingest.GroupCommitter;
import dev.vigil.ingest.IngestHandler;
import dev.vigil.notify.IncidentUpdates;
import dev.vigil.notify.integrations.Integrations;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.TeamId;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.runbook.engine.RunStore;
import dev.vigil.slack.ChatOps;
import dev.vigil.slack.EngineRuns;
import dev.vigil.slack.SlackApi;
import dev.vigil.slack.SlackDelivery;
import dev.vigil.slack.SlackMessages;
import dev.vigil.store.Database;
import dev.vigil.store.Dialect;
import dev.vigil.store.SqlEscalationStore;
import dev.vigil.store.SqlHeartbeatStore;
import dev.vigil.store.SqlIncidentStore;
import dev.vigil.store.SqlLeaseStore;
import dev.vigil.store.SqlOutbox;
import dev.vigil.store.SqlOverrideStore;
import dev.vigil.store.SqlRunStore;
import dev.vigil.store.SqlSeenRequests;
import dev.vigil.store.SqlSlackMessages;
import dev.vigil.telemetry.IncidentMeters;
import dev.vigil.telemetry.IncidentTelemetry;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.CountedScheduler;
import dev.vigil.timer.Scheduler;
import dev.vigil.timer.VertxScheduler;
import dev.vigil.web.BodyBudget;
import dev.vigil.web.SeenRequests;
import dev.vigil.wiring.BackgroundWork;
import dev.vigil.wiring.Delivery;
import dev.vigil.wiring.EscalationWiring;
import dev.vigil.wiring.HttpWiring;
import dev.vigil.wiring.RoutingReloads;
import dev.vigil.wiring.RunbookWiring;
import dev.vigil.wiring.VertxRuntime;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Vigil: the store, the ingest pipeline and the HTTP API, wired in {@link #start}.
 * {@link #stop} drains in order: stop taking requests, finish queued commits, close the store.
 */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final VigilConfig config;
  private final VertxRuntime runtime;
  private final Vertx vertx;
  private final PrometheusMeterRegistry metrics;
  private Database db;
  private RunbookRegistry runbooks;
  private LiveRouting routing;
  private RoutingReloads reloads;
  private GroupCommitter committer;
  private Engine engine;
  private RunStore engineStore;
  private volatile int port;
  private Escalator escalator;
  private HandoffDigester digester;
  private HeartbeatWatch heartbeats;
  private Integrations integrations;
  private Optional<SlackDelivery> slackDelivery = Optional.empty();
  private Sweeps sweeps;
  private Leadership leadership;
  private final Tracing tracing;
  private SqlSeenRequests seen;
  private Probes probes = Probes.NONE;
  private Pipeline pipeline;
  private final LiveFeed live = new LiveFeed();

  private Daemon(VigilConfig config, VertxRuntime runtime) {
    this.config = config;
    this.runtime = runtime;
    this.vertx = runtime.vertx();
    this.metrics = runtime.metrics();
    this.tracing = runtime.tracing();
  }

  /**
   * Starts a daemon; the future fails (and everything started is closed) if any part cannot start.
   */
  public static Future<Daemon> start(VigilConfig config, Clock clock) {
    return start(config, clock, vertx -> new VertxScheduler(vertx, clock));
  }

  /**
   * Starts a daemon whose runbook timers come from {@code runbookTimers} (tests pass one that moves
   * time by hand).
   */
  public static Future<Daemon> start(
      VigilConfig config, Clock clock, Function<Vertx, Scheduler> runbookTimers) {
    return start(config, clock, runbookTimers, Optional.empty());
  }

  /** With {@code spans}, every span is also exported there (tests pass an in-memory exporter). */
  public static Future<Daemon> start(
      VigilConfig config,
      Clock clock,
      Function<Vertx, Scheduler> runbookTimers,
      Optional<SpanExporter> spans) {
    return start(config, clock, runbookTimers, spans, Probes.NONE);
  }

  /**
   * What tests attach to a daemon: stages that see the pipeline's events after the declared ones, a
   * wrapper around the incident store the later stages read through, and the step kinds runbooks
   * may use.
   */
  public record Probes(
      List<Stage> taps, UnaryOperator<IncidentStore> incidents, StepKinds stepKinds) {
    public static final Probes NONE = new Probes(List.of(), s -> s);

    public Probes(List<Stage> taps, UnaryOperator<IncidentStore> incidents) {
      this(taps, incidents, StepKinds.standard());
    }
  }

  /** With {@code probes} attached (tests). */
  public static Future<Daemon> start(
      VigilConfig config,
      Clock clock,
      Function<Vertx, Scheduler> runbookTimers,
      Optional<SpanExporter> spans,
      Probes probes) {
    VertxRuntime runtime;
    try {
      runtime = VertxRuntime.create(config, spans);
    } catch (IllegalArgumentException e) {
      // an invalid OTEL_* value, or a server.transport that cannot run here: say which, and do not
      // start
      return Future.failedFuture(e);
    }
    Daemon daemon = new Daemon(config, runtime);
    daemon.probes = probes;
    return daemon
        .wire(clock, runtime.timersPending("runbook", runbookTimers.apply(runtime.vertx())))
        .map(v -> daemon)
        .recover(e -> daemon.stop().transform(x -> Future.failedFuture(e)));
  }

  /**
   * The flow of an alert, assembled: ingest → commit → classify (inside the commit) → the
   * pipeline's stages (telemetry, escalation, runbooks, updates) reacting to the commit's incident
   * events → outbox → notifier.
   */
  private Future<Void> wire(Clock clock, Scheduler runbookTimers) {
    runbooks =
        new RunbookRegistry(
            RunbookReader.of(config.runbooks(), probes.stepKinds()), config.runbooks(), metrics);
    return runbooks
        .reload()
        .compose(
            loaded ->
                vertx.executeBlocking(
                    () -> {
                      RoutingReloads.watchRunbooks(config, runbooks);
                      return RoutingReloads.readRouting(config);
                    }))
        .compose(
            initial ->
                Database.open(vertx, config.store())
                    .compose(
                        database -> {
                          db = database;
                          return assemble(clock, runbookTimers, initial);
                        }))
        .onSuccess(
            v ->
                log.atInfo()
                    .addKeyValue("host", config.server().host())
                    .addKeyValue("port", port)
                    .addKeyValue("tls", config.server().tls().isPresent())
                    .addKeyValue("store", db.dialect().name().toLowerCase())
                    .addKeyValue("transport", runtime.transport())
                    .log("vigil: listening"));
  }

  /** Builds every part on the open store, resumes the durable work, then takes requests. */
  private Future<Void> assemble(Clock clock, Scheduler runbookTimers, Routing initial) {
    // every part reads teams and classification from here at each use, so a reload changes them
    // all at once
    routing = new LiveRouting(config, initial, metrics);
    // every committed write, whoever makes it (ingest, the API, Slack, heartbeats, runbooks), goes
    // to the pipeline declared below
    IncidentStore incidents =
        probes.incidents().apply(new SqlIncidentStore(db, events -> pipeline.accept(events)));
    Overrides overrides = new Overrides(new SqlOverrideStore(db), clock);
    Resolver resolver = new Resolver(routing::schedule, clock);
    Classifier triage = new Classifier(routing::classification, resolver, overrides::snapshot);
    // ack timers, handoff digests, heartbeats and notification retries
    CountedScheduler scheduler =
        runtime.timersPending("incident", new VertxScheduler(vertx, clock));
    Replica replica = Replica.of(config);
    leadership = new Leadership(new SqlLeaseStore(db), replica, clock);
    SqlOutbox outbox = new SqlOutbox(db, replica);
    engineStore = new SqlRunStore(db, replica);
    Delivery delivery =
        Delivery.create(
            vertx,
            config,
            routing,
            outbox,
            new SqlSlackMessages(db),
            incidents,
            scheduler,
            clock,
            metrics,
            id -> RunbookWiring.status(engineStore, id),
            tracing);
    slackDelivery = delivery.slack();
    integrations = delivery.integrations();
    Runnable kick = Delivery.wakeUp(integrations);
    IncidentUpdates updates = new IncidentUpdates(outbox, clock, kick);
    SqlEscalationStore escalations = new SqlEscalationStore(db);
    IncidentMeters incidentMeters = new IncidentMeters(metrics);
    IncidentTelemetry incidentTelemetry =
        new IncidentTelemetry(
            incidentMeters, tracing, team -> routing.schedule().team(new TeamId(team)));
    escalator =
        EscalationWiring.escalator(
            escalations,
            incidents,
            routing,
            overrides,
            incident -> engine != null && engine.willHandle(incident),
            scheduler,
            clock,
            replica,
            incidentMeters,
            tracing,
            kick);
    digester =
        new HandoffDigester(routing::teams, incidents, escalations, outbox, scheduler, clock, kick);
    heartbeats =
        new HeartbeatWatch(
            routing.classification().heartbeats(),
            incidents,
            new SqlHeartbeatStore(db),
            triage,
            scheduler,
            clock);
    engine =
        RunbookWiring.engine(
            vertx,
            config,
            engineStore,
            runbooks,
            probes.stepKinds(),
            escalator,
            incidents,
            runbookTimers,
            outbox,
            integrations.watch(),
            kick,
            replica.decisionMargin(),
            clock,
            metrics,
            tracing);
    reloads =
        new RoutingReloads(config, vertx, runbooks, routing, digester, heartbeats, integrations);
    // The pipeline, declared once: each stage sees every committed incident event once, in commit
    // order. Telemetry first (it records at once, so the incident's trace exists before anything
    // pages or runs), then escalation, runbooks and the updates of whatever was paged.
    List<Stage> stages =
        new ArrayList<>(List.of(incidentTelemetry, escalator.stage(), engine.stage(), updates));
    stages.add(live); // open console pages hear of each change, never holding the others
    stages.addAll(probes.taps());
    pipeline = new Pipeline(vertx.getOrCreateContext(), stages, metrics);
    // SQLite has one writer: one batch at a time. PostgreSQL: a few, so round trips overlap (ADR
    // 0120)
    committer =
        new GroupCommitter(
            vertx,
            incidents,
            triage,
            clock,
            config.ingest().queueLimit(),
            config.ingest().maxBatchAlerts(),
            db.dialect() == Dialect.POSTGRES ? 4 : 1,
            metrics);
    // every accepted alert, repeats included, is a sign of life for a heartbeat
    IngestHandler ingest =
        new IngestHandler(committer, clock, metrics, alerts -> heartbeats.observe(alerts));
    sweeps =
        new Sweeps(
            BackgroundWork.sweeps(
                replica, clock, integrations, engine, escalator, overrides, outbox, metrics),
            leadership,
            new VertxScheduler(vertx, clock),
            clock,
            metrics);
    BodyBudget unverified = HttpWiring.unverifiedBudget(config, metrics);
    seen = new SqlSeenRequests(db, clock);
    HttpApi.Deps deps =
        HttpWiring.deps(
            new HttpWiring.Parts(
                config,
                db,
                incidents,
                outbox,
                ingest,
                runbooks,
                engine,
                engineStore,
                escalator,
                resolver,
                overrides,
                HttpWiring.readiness(config, db, integrations, replica, leadership, routing),
                clock,
                metrics),
            slack(incidents, resolver, overrides, clock, seen, unverified),
            seen,
            unverified,
            new ReloadApi(this::reload),
            live);
    // durable work resumes before requests arrive: overdue ack timers fire at once
    return overrides
        .refresh()
        .compose(v -> escalator.start())
        .compose(v -> escalator.decideLost(clock.instant().minus(replica.decisionMargin())))
        .compose(v -> heartbeats.start())
        // the engine resumes unfinished runs once escalation is ready to take over incidents from
        // them
        .compose(v -> vertx.deployVerticle(engine))
        .compose(v -> reloads.watchRouting())
        .compose(
            v -> {
              if (routing.teams().handoffDigest()) {
                digester.start();
              }
              sweeps.start();
              return HttpWiring.listen(vertx, config, deps);
            })
        .onSuccess(listening -> port = listening)
        .mapEmpty();
  }

  /**
   * Slack slash commands and buttons: runs and approvals go to the runbook engine; clicked incident
   * messages are updated in place through the Slack integration (or the interaction's
   * response_url).
   */
  private SlackApi slack(
      IncidentStore incidents,
      Resolver resolver,
      Overrides overrides,
      Clock clock,
      SqlSeenRequests seen,
      BodyBudget unverified) {
    if (config.slack().signingSecret().isEmpty()) {
      log.atInfo().log(
          "slack: no slack.signingSecret configured: /slack/commands and /slack/interactions refuse every request");
    }
    // an approval step that names no approvers is decided by the team on call now (its
    // slack.userGroup)
    EngineRuns runs =
        new EngineRuns(
            engine,
            runbooks,
            () ->
                resolver.activeTeams(clock.instant(), overrides.snapshot()).stream()
                    .map(id -> routing.schedule().team(id))
                    .flatMap(Optional::stream)
                    .toList());
    return ChatOps.wire(
        vertx,
        config,
        new ChatOps.Parts(
            incidents, escalator, resolver, overrides, runs, runs, slackMessages(), seen),
        metrics,
        clock,
        unverified);
  }

  /**
   * The memory of signed requests and PagerDuty events already taken (for tests: a claim left by a
   * dead replica).
   */
  public SeenRequests seenRequests() {
    return seen;
  }

  /** The runbook engine (for tests and the benchmark). */
  public Engine engine() {
    return engine;
  }

  /** The engine's run store (for tests: a run stored behind the engine's back). */
  public RunStore runStore() {
    return engineStore;
  }

  /** The runbooks in force. */
  public RunbookRegistry runbooks() {
    return runbooks;
  }

  /**
   * Reloads the runbooks, then teams.yaml and classification.yaml (SIGHUP and {@code POST
   * /-/reload}); {@code cause} is logged. See {@link RoutingReloads#reload}.
   */
  public Future<ReloadApi.Report> reload(String cause) {
    return reloads.reload(cause);
  }

  /** The port the HTTP server listens on (the real one when the config says 0). */
  public int port() {
    return port;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The notification integrations. */
  public Integrations integrations() {
    return integrations;
  }

  /** The incidents' Slack messages; empty when Slack is off. */
  public Optional<SlackMessages> slackMessages() {
    return slackDelivery.map(SlackDelivery::messages);
  }

  /**
   * Stops accepting, lets in-flight requests and queued commits finish, closes the store and
   * Vert.x. The returned future is not tied to any Vert.x context, so it completes even as Vert.x
   * closes.
   */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    if (sweeps != null) {
      sweeps.stop(); // no sweep starts again; one in flight ends on its own
    }
    if (escalator != null) {
      escalator.stop(); // the stored due times stay: the next start re-arms them
      digester.stop();
      heartbeats.stop();
    }
    // Undeploying the HTTP verticles shuts their servers down gracefully (HttpVerticle.stop).
    Future<Void> http =
        Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()).mapEmpty();
    http.transform(ar -> committer == null ? Future.succeededFuture() : committer.drain())
        .transform(ar -> leadership == null ? Future.succeededFuture() : leadership.release())
        .transform(ar -> db == null ? Future.succeededFuture() : db.close())
        .andThen(
            ar -> {
              if (runbooks != null) {
                runbooks.close();
              }
              if (routing != null) {
                routing.close();
              }
              if (integrations != null) {
                integrations.close();
              }
              slackDelivery.ifPresent(SlackDelivery::close);
            })
        .onComplete(
            ar ->
                vertx
                    .close()
                    .onComplete(v -> tracing.shutdown().whenComplete((x, e) -> done.complete())));
    return done.future();
  }
}
