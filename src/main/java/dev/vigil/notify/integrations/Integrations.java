package dev.vigil.notify.integrations;

import dev.vigil.config.VigilConfig;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.notify.Circuit;
import dev.vigil.notify.DeliveryWatch;
import dev.vigil.notify.Dispatcher;
import dev.vigil.notify.LogNotifier;
import dev.vigil.notify.LogSink;
import dev.vigil.notify.Notifier;
import dev.vigil.notify.Outbox;
import dev.vigil.notify.Pacer;
import dev.vigil.notify.RetryPolicy;
import dev.vigil.notify.pagerduty.PagerDutyNotifier;
import dev.vigil.notify.webhook.WebhookNotifier;
import dev.vigil.oncall.Channels;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The notification integrations of one daemon, assembled from the config: PagerDuty when some team
 * has a routing key and a team's outgoing webhook when some team has one, each behind its own
 * {@link Circuit}; Slack's notifier when the daemon passes one (the Slack adapter builds it); and
 * the {@link Dispatcher} that delivers the outbox through them. With none, the {@link LogNotifier}
 * stays the sink. Either way a {@link DeliveryWatch} hears of every outcome stored.
 */
public final class Integrations implements AutoCloseable {

  /**
   * Pacing that is not configuration: 2 calls per second per PagerDuty routing key (120 a minute).
   */
  public record Tuning(Duration pagerDutyPace) {
    public static final Tuning DEFAULT = new Tuning(Duration.ofMillis(500));
  }

  private final Dispatcher dispatcher;
  private final LogNotifier logNotifier;
  private final PagerDutyNotifier pagerDuty;
  private final Notifier slackNotifier;
  private final WebClient web;
  private final WebhookNotifier webhook;
  private final WebClient webhookClient;
  private final DeliveryWatch watch;

  private Integrations(
      Dispatcher dispatcher,
      LogNotifier logNotifier,
      PagerDutyNotifier pagerDuty,
      Notifier slackNotifier,
      WebClient web,
      WebhookNotifier webhook,
      WebClient webhookClient,
      DeliveryWatch watch) {
    this.webhook = webhook;
    this.webhookClient = webhookClient;
    this.watch = watch;
    this.dispatcher = dispatcher;
    this.logNotifier = logNotifier;
    this.pagerDuty = pagerDuty;
    this.slackNotifier = slackNotifier;
    this.web = web;
  }

  /**
   * @param teams the configured teams (routing keys and webhooks come from them)
   * @param slack Slack's notifier; empty when Slack is off
   */
  public static Integrations create(
      Vertx vertx,
      VigilConfig config,
      Collection<Team> teams,
      Outbox outbox,
      Optional<Notifier> slack,
      IncidentStore incidents,
      Scheduler scheduler,
      Clock clock,
      MeterRegistry metrics,
      Tuning tuning,
      Tracing tracing) {
    return create(
        vertx,
        config,
        () -> teams,
        outbox,
        slack,
        incidents,
        scheduler,
        clock,
        metrics,
        tuning,
        tracing);
  }

  /**
   * With live teams: each delivery looks up the team's routing key and webhook in the teams {@code
   * teams} gives then (a reload of teams.yaml changes them). Whether PagerDuty is on at all is
   * decided here, once: with no routing key at start, a key added by a reload needs a restart.
   */
  public static Integrations create(
      Vertx vertx,
      VigilConfig config,
      Supplier<? extends Collection<Team>> teams,
      Outbox outbox,
      Optional<Notifier> slack,
      IncidentStore incidents,
      Scheduler scheduler,
      Clock clock,
      MeterRegistry metrics,
      Tuning tuning,
      Tracing tracing) {
    Function<TeamId, Optional<String>> routingKeys =
        id ->
            teams.get().stream()
                .filter(t -> t.id().equals(id))
                .findFirst()
                .map(t -> t.channels().pagerdutyRoutingKey())
                .filter(k -> !k.isEmpty())
                .map(k -> k.reveal());
    Function<TeamId, Optional<Channels.Webhook>> webhooks =
        id ->
            teams.get().stream()
                .filter(t -> t.id().equals(id))
                .findFirst()
                .map(t -> t.channels().webhook())
                .filter(w -> !w.isEmpty());
    boolean anyKey =
        teams.get().stream().anyMatch(t -> !t.channels().pagerdutyRoutingKey().isEmpty());
    boolean anyWebhook = teams.get().stream().anyMatch(t -> !t.channels().webhook().isEmpty());
    String publicUrl = config.server().publicUrl();
    // webhooks carry the incident in the API (none without publicUrl); people get the console
    Function<IncidentId, String> incidentUrl =
        id -> publicUrl.isEmpty() ? "" : publicUrl + "/api/v1/incidents/" + id;
    Function<IncidentId, String> consoleUrl = config.server()::consoleUrl;
    VigilConfig.Breaker breaker = config.breaker();
    RetryPolicy retry =
        new RetryPolicy(
            config.retry().maxAttempts(), config.retry().initialDelay(), config.retry().maxDelay());
    List<Notifier> notifiers = new ArrayList<>();
    PagerDutyNotifier pd = null;
    WebClient web = null;
    if (anyKey) {
      long timeout = breaker.timeout().toMillis();
      web =
          WebClient.create(
              vertx,
              new WebClientOptions()
                  .setUserAgent("Vigil")
                  .setConnectTimeout((int) Math.min(timeout, 10_000)));
      pd =
          new PagerDutyNotifier(
              web,
              config.pagerduty().eventsUrl(),
              routingKeys,
              incidents,
              outbox,
              new Circuit(vertx, "pagerduty", breaker, timeout + 1_000, metrics),
              new Pacer(vertx, tuning.pagerDutyPace()),
              retry,
              timeout,
              consoleUrl);
      notifiers.add(pd);
    }
    WebhookNotifier hook = null;
    WebClient hookClient = null;
    if (anyWebhook) {
      // a client of its own: receivers are the teams' servers, not PagerDuty, and never get a
      // redirect followed
      hookClient =
          WebClient.create(
              vertx,
              new WebClientOptions()
                  .setUserAgent("Vigil")
                  .setFollowRedirects(false)
                  .setConnectTimeout((int) Math.min(breaker.timeout().toMillis(), 10_000)));
      hook =
          new WebhookNotifier(
              vertx,
              hookClient,
              webhooks,
              incidents,
              outbox,
              breaker,
              retry,
              metrics,
              clock,
              incidentUrl);
      notifiers.add(hook);
    }
    slack.ifPresent(notifiers::add);
    DeliveryWatch watch = new DeliveryWatch(outbox);
    Dispatcher dispatcher =
        notifiers.isEmpty()
            ? null
            : new Dispatcher(
                outbox,
                notifiers,
                new LogSink(),
                retry,
                scheduler,
                clock,
                metrics,
                () -> ThreadLocalRandom.current().nextDouble(),
                tracing,
                watch);
    return new Integrations(
        dispatcher,
        new LogNotifier(outbox, clock, watch),
        pd,
        slack.orElse(null),
        web,
        hook,
        hookClient,
        watch);
  }

  /** Where runbook steps wait for their messages and pages to be delivered. */
  public DeliveryWatch watch() {
    return watch;
  }

  /** Whether webhook delivery is on (some team had a webhook at start). */
  public boolean webhookOn() {
    return webhook != null;
  }

  /** For {@code /readyz}. */
  public String webhookState() {
    return webhook != null ? webhook.state() : "off: no team has a webhook";
  }

  /**
   * Delivers what is due (see {@link Dispatcher#drain()}, or {@link LogNotifier#drain()} with no
   * integration).
   */
  /**
   * Extends this replica's claims on the intents being delivered now (replicas sharing the store).
   */
  public Future<Void> renewClaims() {
    return dispatcher != null ? dispatcher.renewClaims() : Future.succeededFuture();
  }

  public Future<Integer> drain() {
    return dispatcher != null ? dispatcher.drain() : logNotifier.drain();
  }

  /** Whether PagerDuty delivery is on (some team had a routing key at start). */
  public boolean pagerDutyOn() {
    return pagerDuty != null;
  }

  /** For {@code /readyz}. */
  public String pagerDutyState() {
    return pagerDuty != null
        ? pagerDuty.state()
        : "off: no team has a pagerduty.routingKey"
            + (slackNotifier == null
                ? "; notifications go to the log and the incident timeline"
                : "");
  }

  /** For {@code /readyz}. */
  public String slackState() {
    return slackNotifier != null ? slackNotifier.state() : "off: no slack.botToken configured";
  }

  @Override
  public void close() {
    if (web != null) {
      web.close();
    }
    if (webhookClient != null) {
      webhookClient.close();
    }
  }
}
