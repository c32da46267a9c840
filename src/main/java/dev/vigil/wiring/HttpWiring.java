package dev.vigil.wiring;

import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.Escalator;
import dev.vigil.escalation.LiveRouting;
import dev.vigil.ha.Leadership;
import dev.vigil.ha.Replica;
import dev.vigil.http.HttpApi;
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
import dev.vigil.ingest.IngestHandler;
import dev.vigil.notify.integrations.Integrations;
import dev.vigil.notify.pagerduty.WebhookApi;
import dev.vigil.notify.pagerduty.WebhookReceiver;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.runbook.engine.RunStore;
import dev.vigil.slack.SlackApi;
import dev.vigil.store.Database;
import dev.vigil.store.SqlIncidentLinks;
import dev.vigil.store.SqlOutbox;
import dev.vigil.store.SqlSeenRequests;
import dev.vigil.store.SqlStats;
import dev.vigil.web.BodyBudget;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of a daemon, in one place: the handler of every route ({@link #deps}), the
 * readiness checks and the listeners.
 */
public final class HttpWiring {
  private HttpWiring() {}

  /** The parts of the daemon the routes reach. */
  public record Parts(
      VigilConfig config,
      Database db,
      IncidentStore incidents,
      SqlOutbox outbox,
      IngestHandler ingest,
      RunbookRegistry runbooks,
      Engine engine,
      RunStore runs,
      Escalator escalator,
      Resolver resolver,
      Overrides overrides,
      Readiness readiness,
      Clock clock,
      PrometheusMeterRegistry metrics) {}

  /**
   * Every route's handler. {@code slack} serves Slack's commands and buttons; {@code seen} and
   * {@code unverified} are shared with it.
   */
  public static HttpApi.Deps deps(
      Parts p, SlackApi slack, SqlSeenRequests seen, BodyBudget unverified, ReloadApi reload) {
    IncidentApi incidentApi =
        new IncidentApi(
            p.incidents(),
            p.clock(),
            id -> p.runs().forIncident(id).map(rs -> rs.stream().map(RunApi::summary).toList()));
    // acknowledgements, resolutions and notes made in PagerDuty, applied through the store like
    // every other source
    WebhookApi pagerDutyIn =
        new WebhookApi(
            new WebhookReceiver(
                p.incidents(), p.outbox(), new SqlIncidentLinks(p.db()), seen, p.clock()),
            p.config().pagerduty().webhookSecrets(),
            unverified,
            p.metrics());
    return new HttpApi.Deps(
        p.config(),
        p.ingest(),
        incidentApi,
        new RunbookApi(p.runbooks(), p.engine()),
        new RunApi(p.engine()),
        p.readiness(),
        p.metrics(),
        new OncallApi(p.resolver(), p.overrides(), p.escalator(), p.clock()),
        slack,
        new StatsApi(new SqlStats(p.db()), p.clock()),
        new TimelineApi(p.incidents(), p.runs()::forIncident),
        reload,
        pagerDutyIn);
  }

  /**
   * Slack's and PagerDuty's requests are read whole before their signatures can be checked: one
   * budget holds them all.
   */
  public static BodyBudget unverifiedBudget(VigilConfig config, PrometheusMeterRegistry metrics) {
    BodyBudget unverified = new BodyBudget(config.server().limits().maxUnauthenticatedBytes());
    Gauge.builder("vigil_http_unauthenticated_bytes", unverified, BodyBudget::held)
        .description(
            "Request bytes held before their sender is authenticated (server.maxUnauthenticatedBytes)")
        .register(metrics);
    return unverified;
  }

  /** {@code GET /readyz}: the store and config checks, and what each integration is doing. */
  public static Readiness readiness(
      VigilConfig config,
      Database db,
      Integrations integrations,
      Replica replica,
      Leadership leadership,
      LiveRouting routing) {
    return new Readiness()
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
                    ? "replica " + replica.id() + (leadership.isLeader() ? ", leader" : "")
                    : "off: one process on SQLite")
        .integration(
            "oncall",
            () ->
                routing.get().teamsConfigured()
                    ? routing.schedule().teams().size() + " team(s)"
                    : "off: no teams.yaml, nobody is paged");
  }

  /**
   * Starts the listeners; completes with the port bound. One listener per core on the same address:
   * the first binds, the others share its socket and Vert.x spreads connections across their event
   * loops. With port 0 (tests, ad-hoc runs) a second server would bind another free port instead of
   * sharing, so there is then only one listener.
   */
  public static Future<Integer> listen(Vertx vertx, VigilConfig config, HttpApi.Deps deps) {
    long shutdown = config.server().shutdownTimeout().toMillis();
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.server().host())
            .setPort(config.server().port())
            // no request decompression (the default): an inflated body is not bounded by what was
            // sent (ADR 0090 §9)
            // HTTP/1 only: without the h2c detector, Vert.x hands each connection to the limiter as
            // it opens, not after its first bytes, so a connection that sends nothing is counted
            // and timed too
            .setHttp2ClearTextEnabled(false);
    config
        .server()
        .tls()
        .ifPresent(
            tls ->
                options
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertPath(tls.certFile().toString())
                            .setKeyPath(tls.keyFile().toString())));
    AtomicInteger connections = new AtomicInteger();
    HttpVerticle first = new HttpVerticle(deps, options, shutdown, connections);
    int instances =
        config.server().port() == 0 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
    return vertx
        .deployVerticle(first)
        .compose(
            id -> {
              if (instances == 1) {
                return Future.succeededFuture(first.actualPort());
              }
              return vertx
                  .deployVerticle(
                      () -> new HttpVerticle(deps, options, shutdown, connections),
                      new DeploymentOptions().setInstances(instances - 1))
                  .map(more -> first.actualPort());
            });
  }
}
