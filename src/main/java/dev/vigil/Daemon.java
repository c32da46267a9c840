package dev.vigil;

import dev.vigil.classify.Classifier;
import dev.vigil.config.ConfigException;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.Escalator;
import dev.vigil.escalation.HandoffDigester;
import dev.vigil.escalation.LiveRouting;
import dev.vigil.escalation.Routing;
import dev.vigil.escalation.RunbookGate;
import dev.vigil.expr.Secrets;
import dev.vigil.ha.Leadership;
import dev.vigil.ha.Replica;
import dev.vigil.heartbeat.HeartbeatWatch;
import dev.vigil.http.Backstop;
import dev.vigil.http.HttpApi;
import dev.vigil.http.HttpMetricLabels;
import dev.vigil.http.HttpVerticle;
import dev.vigil.http.IncidentApi;
import dev.vigil.http.OncallApi;
import dev.vigil.http.Readiness;
import dev.vigil.http.ReloadApi;
import dev.vigil.http.RunApi;
import dev.vigil.http.RunbookApi;
import dev.vigil.http.StatsApi;
import dev.vigil.http.TimelineApi;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.Pipeline;
import dev.vigil.incident.Stage;
import dev.vigil.ingest.GroupCommitter;
import dev.vigil.ingest.IngestHandler;
import dev.vigil.notify.IncidentUpdates;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.RunbookMessages;
import dev.vigil.notify.integrations.Integrations;
import dev.vigil.notify.pagerduty.WebhookApi;
import dev.vigil.notify.pagerduty.WebhookReceiver;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.action.Escalation;
import dev.vigil.runbook.action.HttpRequests;
import dev.vigil.runbook.action.Notifications;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.action.StepServices;
import dev.vigil.runbook.action.TimelineNotifications;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.runbook.engine.RunStore;
import dev.vigil.slack.ChatOps;
import dev.vigil.slack.EngineRuns;
import dev.vigil.slack.SlackApi;
import dev.vigil.slack.SlackDelivery;
import dev.vigil.slack.SlackMessages;
import dev.vigil.store.Database;
import dev.vigil.store.SqlEscalationStore;
import dev.vigil.store.SqlHeartbeatStore;
import dev.vigil.store.SqlIncidentLinks;
import dev.vigil.store.SqlIncidentStore;
import dev.vigil.store.SqlLeaseStore;
import dev.vigil.store.SqlOutbox;
import dev.vigil.store.SqlOverrideStore;
import dev.vigil.store.SqlRunStore;
import dev.vigil.store.SqlSeenRequests;
import dev.vigil.store.SqlSlackMessages;
import dev.vigil.store.SqlStats;
import dev.vigil.telemetry.IncidentMeters;
import dev.vigil.telemetry.IncidentTelemetry;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.CountedScheduler;
import dev.vigil.timer.VertxScheduler;
import dev.vigil.web.BodyBudget;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
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
  private RunbookRegistry runbooks;
  private LiveRouting routing;
  private GroupCommitter committer;
  private Engine engine;
  private RunStore engineStore;
  private volatile int port;
  private Escalator escalator;
  private HandoffDigester digester;
  private HeartbeatWatch heartbeats;
  private Integrations integrations;
  private Optional<SlackDelivery> slackDelivery = Optional.empty();
  private IncidentUpdates updates;
  private long housekeeping = -1;
  private long leases = -1;
  private Leadership leadership;
  private IncidentMeters incidentMeters;
  private IncidentTelemetry incidentTelemetry;
  private final Tracing tracing;
  private SqlSeenRequests seen;
  private final AtomicLong outboxPending = new AtomicLong();
  private Probes probes = Probes.NONE;
  private Pipeline pipeline;

  private Daemon(
      VigilConfig config, Vertx vertx, PrometheusMeterRegistry metrics, Tracing tracing) {
    this.tracing = tracing;
    this.config = config;
    this.vertx = vertx;
    this.metrics = metrics;
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
      VigilConfig config,
      Clock clock,
      java.util.function.Function<Vertx, dev.vigil.timer.Scheduler> runbookTimers) {
    return start(config, clock, runbookTimers, java.util.Optional.empty());
  }

  /** With {@code spans}, every span is also exported there (tests pass an in-memory exporter). */
  public static Future<Daemon> start(
      VigilConfig config,
      Clock clock,
      java.util.function.Function<Vertx, dev.vigil.timer.Scheduler> runbookTimers,
      java.util.Optional<SpanExporter> spans) {
    return start(config, clock, runbookTimers, spans, Probes.NONE);
  }

  /**
   * What tests attach to a daemon: stages that see the pipeline's events after the declared ones, a
   * wrapper around the incident store the later stages read through, and the step kinds runbooks
   * may use.
   */
  public record Probes(
      List<Stage> taps,
      java.util.function.UnaryOperator<IncidentStore> incidents,
      StepKinds stepKinds) {
    public static final Probes NONE = new Probes(List.of(), s -> s);

    public Probes(List<Stage> taps, java.util.function.UnaryOperator<IncidentStore> incidents) {
      this(taps, incidents, StepKinds.standard());
    }
  }

  /** With {@code probes} attached (tests). */
  public static Future<Daemon> start(
      VigilConfig config,
      Clock clock,
      java.util.function.Function<Vertx, dev.vigil.timer.Scheduler> runbookTimers,
      java.util.Optional<SpanExporter> spans,
      Probes probes) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.config().meterFilter(HttpMetricLabels.routes());
    Tracing tracing;
    try {
      tracing = Tracing.create(config.telemetry(), spans);
    } catch (IllegalArgumentException e) { // an invalid OTEL_* value: say which, and do not start
      return Future.failedFuture(e);
    }
    VertxOptions options =
        new VertxOptions()
            .setMetricsOptions(
                HttpMetricLabels.apply(
                    new MicrometerMetricsOptions()
                        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
                        .setJvmMetricsEnabled(true)
                        .setEnabled(true)));
    var builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics));
    if (tracing.enabled()) {
      // server spans for every request; WebClient calls made inside one continue its trace
      options.setTracingOptions(new OpenTelemetryOptions());
      builder.withTracer(new OpenTelemetryTracingFactory(tracing.openTelemetry()));
    }
    Backstop.prepare(); // before Vert.x starts: it sizes each context's locals then
    Vertx vertx = builder.with(options).build();
    Backstop.install(vertx);
    Daemon daemon = new Daemon(config, vertx, metrics, tracing);
    daemon.probes = probes;
    return daemon
        .wire(clock, daemon.timersPending("runbook", runbookTimers.apply(vertx)))
        .map(v -> daemon)
        .recover(e -> daemon.stop().transform(x -> Future.failedFuture(e)));
  }

  /**
   * The flow of an alert, assembled: ingest → commit → classify (inside the commit) → the
   * pipeline's stages (telemetry, escalation, runbooks, updates) reacting to the commit's incident
   * events → outbox → notifier.
   */
  private Future<Void> wire(Clock clock, dev.vigil.timer.Scheduler runbookTimers) {
    runbooks =
        new RunbookRegistry(
            RunbookReader.of(config.runbooks(), probes.stepKinds()), config.runbooks(), metrics);
    return runbooks
        .reload()
        .compose(
            loaded ->
                vertx.executeBlocking(
                    () -> {
                      watchRunbooks();
                      return readRouting(config);
                    }))
        .compose(
            initial ->
                Database.open(vertx, config.store())
                    .compose(
                        database -> {
                          db = database;
                          // every part reads teams and classification from here at each use, so a
                          // reload changes them all at once
                          routing = new LiveRouting(config, initial, metrics);
                          // every committed write, whoever makes it (ingest, the API, Slack,
                          // heartbeats, runbooks), goes to the pipeline declared below
                          IncidentStore incidents =
                              probes
                                  .incidents()
                                  .apply(
                                      new SqlIncidentStore(db, events -> pipeline.accept(events)));
                          Overrides overrides = new Overrides(new SqlOverrideStore(db), clock);
                          Resolver resolver = new Resolver(routing::schedule, clock);
                          Classifier triage =
                              new Classifier(
                                  routing::classification, resolver, overrides::snapshot);
                          // ack timers, handoff digests, heartbeats and notification retries
                          CountedScheduler scheduler =
                              timersPending("incident", new VertxScheduler(vertx, clock));
                          Replica replica = Replica.of(config);
                          leadership = new Leadership(new SqlLeaseStore(db), replica, clock);
                          SqlOutbox outbox = new SqlOutbox(db, replica);
                          // PagerDuty and Slack when configured, each behind a circuit breaker;
                          // otherwise the log notifier
                          slackDelivery =
                              SlackDelivery.create(
                                  vertx,
                                  config,
                                  () -> routing.schedule().teams(),
                                  new SqlSlackMessages(db),
                                  incidents,
                                  clock,
                                  metrics,
                                  this::runbookStatus,
                                  SlackDelivery.Tuning.DEFAULT);
                          integrations =
                              Integrations.create(
                                  vertx,
                                  config,
                                  () -> routing.schedule().teams(),
                                  outbox,
                                  slackDelivery.map(SlackDelivery::notifier),
                                  incidents,
                                  scheduler,
                                  clock,
                                  metrics,
                                  Integrations.Tuning.DEFAULT,
                                  tracing);
                          Runnable kick =
                              () ->
                                  integrations
                                      .drain()
                                      .onFailure(
                                          e ->
                                              log.atError()
                                                  .setCause(e)
                                                  .log(
                                                      "notify: delivering the outbox failed: "
                                                          + e.getMessage()));
                          updates = new IncidentUpdates(outbox, clock, kick);
                          SqlEscalationStore escalations = new SqlEscalationStore(db);
                          incidentMeters = new IncidentMeters(metrics);
                          incidentTelemetry =
                              new IncidentTelemetry(
                                  incidentMeters,
                                  tracing,
                                  team ->
                                      routing.schedule().team(new dev.vigil.oncall.TeamId(team)));
                          // escalation waits for an incident's runbook when the engine will run it
                          // and hand over if it fails
                          RunbookGate gate =
                              incident -> engine != null && engine.willHandle(incident);
                          escalator =
                              new Escalator(
                                  escalations,
                                  incidents,
                                  routing::teams,
                                  overrides::snapshot,
                                  gate,
                                  scheduler,
                                  clock,
                                  pages -> {
                                    for (NotificationIntent n : pages) {
                                      if (n.kind() == NotificationIntent.Kind.PAGE) {
                                        incidentMeters.paged(n.level(), n.team());
                                        if (n.incident() != null) {
                                          tracing.paged(n.incident(), n.level(), n.team());
                                        }
                                      }
                                    }
                                    kick.run();
                                  });
                          escalator.setSharedStore(
                              replica.shared()); // replicas: a snooze made by another one is in the
                          // store, not in memory here
                          Gauge.builder("vigil_outbox_pending", outboxPending, AtomicLong::get)
                              .description(
                                  "Notifications waiting in the outbox (refreshed every 5 s)")
                              .register(metrics);
                          digester =
                              new HandoffDigester(
                                  routing::teams,
                                  incidents,
                                  escalations,
                                  outbox,
                                  scheduler,
                                  clock,
                                  kick);
                          heartbeats =
                              new HeartbeatWatch(
                                  routing.classification().heartbeats(),
                                  incidents,
                                  new SqlHeartbeatStore(db),
                                  triage,
                                  scheduler,
                                  clock);
                          engine =
                              runbookEngine(
                                  incidents,
                                  clock,
                                  runbookTimers,
                                  replica,
                                  new RunbookMessages(
                                      outbox,
                                      integrations.watch(),
                                      incidents,
                                      new TimelineNotifications(incidents, clock),
                                      config.slack().opsChannel(),
                                      clock,
                                      kick));
                          // The pipeline, declared once: each stage sees every committed incident
                          // event once, in commit order.
                          // Telemetry first (it records at once, so the incident's trace exists
                          // before anything pages or runs),
                          // then escalation, runbooks and the updates of whatever was paged.
                          List<Stage> stages =
                              new ArrayList<>(
                                  List.of(
                                      incidentTelemetry,
                                      escalator.stage(),
                                      engine.stage(),
                                      updates));
                          stages.addAll(probes.taps());
                          pipeline = new Pipeline(vertx.getOrCreateContext(), stages, metrics);
                          // SQLite has one writer: one batch at a time. PostgreSQL: a few, so round
                          // trips overlap (ADR 0120)
                          committer =
                              new GroupCommitter(
                                  vertx,
                                  incidents,
                                  triage,
                                  clock,
                                  config.ingest().queueLimit(),
                                  config.ingest().maxBatchAlerts(),
                                  db.dialect() == dev.vigil.store.Dialect.POSTGRES ? 4 : 1,
                                  metrics);
                          // every accepted alert, repeats included, is a sign of life for a
                          // heartbeat
                          IngestHandler ingest =
                              new IngestHandler(
                                  committer, clock, metrics, alerts -> heartbeats.observe(alerts));
                          Readiness readiness =
                              new Readiness()
                                  .check("store", db::ping)
                                  .check("config", Future::succeededFuture)
                                  .integration("pagerduty", integrations::pagerDutyState)
                                  .integration("slack", integrations::slackState)
                                  .integration(
                                      "pagerduty-webhooks",
                                      () ->
                                          config.pagerduty().webhookSecrets().isEmpty()
                                              ? "off: no pagerduty.webhookSecrets configured, "
                                                  + WebhookApi.PATH
                                                  + " refuses every request"
                                              : "on: "
                                                  + WebhookApi.PATH
                                                  + " ("
                                                  + config.pagerduty().webhookSecrets().size()
                                                  + " secret(s))")
                                  .integration("webhook", integrations::webhookState)
                                  .integration(
                                      "chatops",
                                      () ->
                                          config.slack().signingSecret().isEmpty()
                                              ? "off: no slack.signingSecret configured, /slack/* refuses every request"
                                              : "on: /slack/commands and /slack/interactions")
                                  .integration(
                                      "ha",
                                      () ->
                                          replica.shared()
                                              ? "replica "
                                                  + replica.id()
                                                  + (leadership.isLeader() ? ", leader" : "")
                                              : "off: one process on SQLite")
                                  .integration(
                                      "oncall",
                                      () ->
                                          routing.get().teamsConfigured()
                                              ? routing.schedule().teams().size() + " team(s)"
                                              : "off: no teams.yaml, nobody is paged");
                          RunStore runStore = engineStore;
                          IncidentApi incidentApi =
                              new IncidentApi(
                                  incidents,
                                  clock,
                                  id ->
                                      runStore
                                          .forIncident(id)
                                          .map(rs -> rs.stream().map(RunApi::summary).toList()));
                          // Slack's and PagerDuty's requests are read whole before their signatures
                          // can be checked: one budget holds them all
                          BodyBudget unverified =
                              new BodyBudget(config.server().limits().maxUnauthenticatedBytes());
                          Gauge.builder(
                                  "vigil_http_unauthenticated_bytes", unverified, BodyBudget::held)
                              .description(
                                  "Request bytes held before their sender is authenticated (server.maxUnauthenticatedBytes)")
                              .register(metrics);
                          SqlSeenRequests seen = new SqlSeenRequests(db, clock);
                          this.seen = seen;
                          // acknowledgements, resolutions and notes made in PagerDuty, applied
                          // through the store like every other source
                          WebhookApi pagerDutyIn =
                              new WebhookApi(
                                  new WebhookReceiver(
                                      incidents, outbox, new SqlIncidentLinks(db), seen, clock),
                                  config.pagerduty().webhookSecrets(),
                                  unverified,
                                  metrics);
                          HttpApi.Deps deps =
                              new HttpApi.Deps(
                                  config,
                                  ingest,
                                  incidentApi,
                                  new RunbookApi(runbooks, engine),
                                  new RunApi(engine),
                                  readiness,
                                  metrics,
                                  new OncallApi(resolver, overrides, escalator, clock),
                                  slack(incidents, resolver, overrides, clock, seen, unverified),
                                  new StatsApi(new SqlStats(db), clock),
                                  new TimelineApi(incidents, runStore::forIncident),
                                  new ReloadApi(this::reload),
                                  pagerDutyIn);
                          // durable work resumes before requests arrive: overdue ack timers fire at
                          // once
                          return overrides
                              .refresh()
                              .compose(v -> escalator.start())
                              .compose(
                                  v ->
                                      escalator.decideLost(
                                          clock.instant().minus(replica.decisionMargin())))
                              .compose(v -> heartbeats.start())
                              // the engine resumes unfinished runs once escalation is ready to take
                              // over incidents from them
                              .compose(v -> vertx.deployVerticle(engine))
                              .compose(
                                  v ->
                                      vertx.executeBlocking(
                                          () -> {
                                            watchRouting();
                                            return null;
                                          }))
                              .compose(
                                  v -> {
                                    if (routing.teams().handoffDigest()) {
                                      digester.start();
                                    }
                                    // retries and intents written by another replica; also picks
                                    // overrides added elsewhere
                                    housekeeping =
                                        vertx.setPeriodic(
                                            5_000,
                                            id -> {
                                              kick.run();
                                              integrations
                                                  .watch()
                                                  .poll(); // runbook steps waiting on intents
                                              // another replica delivered
                                              overrides.refresh();
                                              outbox.pending().onSuccess(outboxPending::set);
                                            });
                                    leases =
                                        vertx.setPeriodic(
                                            replica.renewEvery().toMillis(),
                                            id -> keepLeases(replica, clock));
                                    keepLeases(replica, clock);
                                    kick.run();
                                    return listen(deps);
                                  });
                        }))
        .onSuccess(
            v ->
                log.atInfo()
                    .addKeyValue("host", config.server().host())
                    .addKeyValue("port", port)
                    .addKeyValue("tls", config.server().tls().isPresent())
                    .addKeyValue("store", db.dialect().name().toLowerCase())
                    .log("vigil: listening"));
  }

  /**
   * Every lease period: renews this replica's leases (leadership, outbox claims, runs), resumes
   * runs that stalled on a store failure and, with replicas, takes over the runs and ack timers of
   * replicas that died; the leader (on SQLite, the process) also decides incidents whose escalation
   * or runbook decision was lost with the process that opened them. Failures are logged; the next
   * period tries again.
   */
  private void keepLeases(Replica replica, Clock clock) {
    Instant now = clock.instant();
    List<Future<?>> work =
        new ArrayList<>(List.of(integrations.renewClaims(), engine.renewLeases()));
    // decisions lost to a crash or a store failure: incidents opened more than a lease ago with no
    // escalation or runbook decision
    Instant settled = now.minus(replica.leaseTtl());
    // (runbook decisions only with replicas: alone, the start already made them, and a runbook
    // added since must not start for older incidents)
    work.add(
        leadership
            .renew()
            .compose(
                leader ->
                    !leader
                        ? Future.succeededFuture()
                        : replica.shared()
                            ? Future.join(escalator.decideLost(settled), engine.decideLost(settled))
                                .mapEmpty()
                            : escalator.decideLost(settled).mapEmpty()));
    if (replica.shared()) {
      work.add(engine.takeOver());
      work.add(escalator.adopt());
    }
    Future.join(work)
        .onFailure(
            e ->
                log.atWarn()
                    .addKeyValue("replica", replica.id())
                    .log(
                        "ha: renewing leases or taking over work failed (tried again in "
                            + replica.renewEvery().toMillis()
                            + " ms): "
                            + e.getMessage()));
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
                    .flatMap(java.util.Optional::stream)
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

  /** teams.yaml and classification.yaml; any error stops the start with every problem listed. */
  private static Routing readRouting(VigilConfig config) throws ConfigException {
    Problems problems = new Problems();
    java.util.Optional<Routing> routing = Routing.read(config, problems);
    problems.throwIfErrors();
    return routing.orElseThrow();
  }

  /**
   * The runbook engine and its actions. Escalation goes to the escalator (a failed run hands the
   * incident over; an {@code incident: escalate} step pages the next level). {@code slack} steps,
   * {@code pagerduty} steps, approval requests and the guard's ops message go to the notification
   * outbox ({@link RunbookMessages}).
   */
  private Engine runbookEngine(
      IncidentStore incidents,
      Clock clock,
      dev.vigil.timer.Scheduler scheduler,
      Replica replica,
      Notifications notifications) {
    engineStore = new SqlRunStore(db, replica);
    Escalation escalation =
        new Escalation() {
          @Override
          public Future<Void> runFailed(
              dev.vigil.incident.IncidentId incident, String by, String reason) {
            return incidents
                .append(
                    incident,
                    new dev.vigil.incident.TimelineEvent(
                        clock.instant(), "runbook-handover", by, reason))
                .compose(e -> escalator.runbookFailed(incident));
          }

          @Override
          public Future<Void> escalateNow(
              dev.vigil.incident.IncidentId incident, String by, String reason) {
            return escalator.escalateNow(incident, by).mapEmpty();
          }
        };
    StepServices steps =
        new StepServices(
            clock,
            scheduler,
            notifications,
            incidents,
            escalation,
            new HttpRequests(HttpRequests.client(vertx), config.runbooks().httpAllow()),
            vertx.createSharedWorkerExecutor("vigil-exec", 8),
            config.runbooks().execAllow());
    java.util.Random random = new java.util.Random();
    Engine e =
        new Engine(
            new Engine.Deps(
                engineStore,
                incidents,
                runbooks,
                RunbookReader.of(config.runbooks(), probes.stepKinds()),
                probes.stepKinds(),
                steps,
                escalation,
                notifications,
                scheduler,
                clock,
                random::nextDouble,
                metrics,
                tracing,
                new Secrets(config.runbooks().secrets())));
    e.setDecisionMargin(replica.decisionMargin());
    return e;
  }

  /**
   * What the incident's Slack message says about its runbook: the latest run and its status, or
   * nothing.
   */
  private Future<String> runbookStatus(dev.vigil.incident.IncidentId id) {
    if (engineStore == null) {
      return Future.succeededFuture("");
    }
    return engineStore
        .forIncident(id)
        .map(
            runs -> {
              if (runs.isEmpty()) {
                return "";
              }
              var last = runs.get(runs.size() - 1);
              return last.runbook() + ": " + last.status().wire();
            });
  }

  /** {@code scheduler}, with its pending alarms in {@code vigil_timers_pending{scheduler=name}}. */
  private CountedScheduler timersPending(String name, dev.vigil.timer.Scheduler scheduler) {
    CountedScheduler counted = new CountedScheduler(scheduler);
    Gauge.builder("vigil_timers_pending", counted, CountedScheduler::pending)
        .tag("scheduler", name)
        .description(
            "In-memory timers armed and not yet fired: runbook waits, retries and timeouts; incident ack timers, digests, heartbeats")
        .register(metrics);
    return counted;
  }

  /**
   * The memory of signed requests and PagerDuty events already taken (for tests: a claim left by a
   * dead replica).
   */
  public dev.vigil.web.SeenRequests seenRequests() {
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

  /**
   * One listener per core on the same address: the first binds, the others share its socket and
   * Vert.x spreads connections across their event loops. With port 0 (tests, ad-hoc runs) a second
   * server would bind another free port instead of sharing, so there is then only one listener.
   */
  private Future<Void> listen(HttpApi.Deps deps) {
    long shutdown = config.server().shutdownTimeout().toMillis();
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.server().host())
            .setPort(config.server().port())
            // no request decompression (the default): an inflated body is not bounded by what was
            // sent (ADR 0090 §9)
            // HTTP/1 only: without the h2c detector, Vert.x hands each connection to the limiter as
            // it opens, not
            // after its first bytes, so a connection that sends nothing is counted and timed too
            .setHttp2ClearTextEnabled(false);
    config
        .server()
        .tls()
        .ifPresent(
            tls ->
                options
                    .setSsl(true)
                    .setKeyCertOptions(
                        new io.vertx.core.net.PemKeyCertOptions()
                            .setCertPath(tls.certFile().toString())
                            .setKeyPath(tls.keyFile().toString())));
    java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    HttpVerticle first = new HttpVerticle(deps, options, shutdown, connections);
    int instances =
        config.server().port() == 0 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
    return vertx
        .deployVerticle(first)
        .compose(
            id -> {
              port = first.actualPort();
              if (instances == 1) {
                return Future.succeededFuture();
              }
              return vertx
                  .deployVerticle(
                      () -> new HttpVerticle(deps, options, shutdown, connections),
                      new DeploymentOptions().setInstances(instances - 1))
                  .mapEmpty();
            });
  }

  /** Watches runbooks.dir for edits; without the directory the daemon runs with no runbooks. */
  private void watchRunbooks() {
    try {
      runbooks.watch();
    } catch (java.io.IOException e) {
      log.atWarn()
          .addKeyValue("dir", config.runbooks().dir().toString())
          .log(
              "runbooks: not watching the runbook directory ("
                  + e.getClass().getSimpleName()
                  + ": "
                  + e.getMessage()
                  + "); edits need SIGHUP or POST /-/reload");
    }
  }

  /**
   * Edits to teams.yaml or classification.yaml reload them on their own, like runbooks (blocking:
   * on a worker).
   */
  private void watchRouting() {
    try {
      routing.watch(
          RunbookRegistry.DEFAULT_DEBOUNCE, () -> vertx.runOnContext(v -> applyRouting()));
    } catch (java.io.IOException e) {
      log.atWarn()
          .log(
              "routing: not watching the folders of teams.yaml and classification.yaml ("
                  + e.getClass().getSimpleName()
                  + ": "
                  + e.getMessage()
                  + "); edits need SIGHUP or POST /-/reload");
    }
  }

  /** The runbooks in force. */
  public RunbookRegistry runbooks() {
    return runbooks;
  }

  /**
   * Reloads the runbooks, then teams.yaml and classification.yaml (SIGHUP and {@code POST
   * /-/reload}); {@code cause} is logged. A rejected runbook file keeps its last good version; an
   * error in either routing file keeps the last good teams and classification (see {@link
   * LiveRouting#reload}). The future fails only if a reload could not run at all; rejected files
   * are in the report.
   */
  public Future<ReloadApi.Report> reload(String cause) {
    return runbooks
        .reload(cause)
        .compose(
            rb ->
                vertx
                    .executeBlocking(() -> routing.reload(cause))
                    .map(
                        rt -> {
                          if (rt.ok()) {
                            applyRouting();
                          }
                          return new ReloadApi.Report(
                              rb.catalog().runbooks().size(),
                              rb.errors(),
                              rt.routing().teams().schedule().teams().size(),
                              rt.routing().classification().rules().size(),
                              rt.errors());
                        }));
  }

  /**
   * What the parts derived from the routing at start, derived again from the routing in force: the
   * digest alarm (the next window start) and the heartbeats watched. The escalator, the classifier,
   * the resolver and the integrations read the routing at each use and need nothing. Idempotent,
   * and it reads the routing in force, so two reloads racing end with the newer one applied.
   */
  private void applyRouting() {
    Routing now = routing.get();
    digester.restart(now.teams().handoffDigest());
    heartbeats
        .watch(now.classification().heartbeats())
        .onFailure(
            e ->
                log.atError()
                    .setCause(e)
                    .log("heartbeat: watching the reloaded heartbeats failed: " + e.getMessage()));
    if (!integrations.pagerDutyOn()
        && now.teams().schedule().teams().stream()
            .anyMatch(t -> !t.channels().pagerdutyRoutingKey().isEmpty())) {
      log.atWarn()
          .log(
              "pagerduty: teams.yaml now has a pagerduty.routingKey but PagerDuty delivery was off at start:"
                  + " restart Vigil to turn it on; until then those pages go to Slack or the log");
    }
    if (!integrations.webhookOn()
        && now.teams().schedule().teams().stream()
            .anyMatch(t -> !t.channels().webhook().isEmpty())) {
      log.atWarn()
          .log(
              "webhook: teams.yaml now has a webhook but webhook delivery was off at start:"
                  + " restart Vigil to turn it on; until then those pages go to Slack or the log");
    }
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
    if (housekeeping >= 0) {
      vertx.cancelTimer(housekeeping);
    }
    if (leases >= 0) {
      vertx.cancelTimer(leases);
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
