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
import dev.vigil.notify.slack.SlackClient;
import dev.vigil.notify.slack.SlackMessageStore;
import dev.vigil.notify.slack.SlackMessages;
import dev.vigil.notify.slack.SlackNotifier;
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

/**
 * The notification integrations of one daemon, assembled from the config: PagerDuty when some team
 * has a routing key, a team's outgoing webhook when some team has one, Slack when there is a bot
 * token, each behind its own {@link Circuit}, and the {@link Dispatcher} that delivers the outbox
 * through them. With none, the {@link LogNotifier} stays the sink. Either way a {@link
 * DeliveryWatch} hears of every outcome stored.
 */
public final class Integrations implements AutoCloseable {

  /**
   * Pacing and bounds that are not configuration: about 1 call a second per Slack channel (Slack's
   * limit for chat.postMessage), 2 per second per PagerDuty routing key (120 a minute), and at most
   * a minute for the Slack SDK to hold one call while it waits out Retry-After.
   */
  public record Tuning(Duration slackPace, Duration pagerDutyPace, Duration slackMaxWait) {
    public static final Tuning DEFAULT =
        new Tuning(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMinutes(1));
  }

  private final Dispatcher dispatcher;
  private final LogNotifier logNotifier;
  private final PagerDutyNotifier pagerDuty;
  private final SlackNotifier slackNotifier;
  private final SlackMessages slackMessages;
  private final SlackClient slackClient;
  private final WebClient web;
  private final WebhookNotifier webhook;
  private final WebClient webhookClient;
  private final DeliveryWatch watch;

  private Integrations(
      Dispatcher dispatcher,
      LogNotifier logNotifier,
      PagerDutyNotifier pagerDuty,
      SlackNotifier slackNotifier,
      SlackMessages slackMessages,
      SlackClient slackClient,
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
    this.slackMessages = slackMessages;
    this.slackClient = slackClient;
    this.web = web;
  }

  /**
   * @param teams the configured teams (routing keys and Slack channels come from them)
   * @param runbookStatus an incident's runbook status in a few words, for its Slack message
   */
  public static Integrations create(
      Vertx vertx,
      VigilConfig config,
      Collection<Team> teams,
      Outbox outbox,
      SlackMessageStore slackStore,
      IncidentStore incidents,
      Scheduler scheduler,
      Clock clock,
      MeterRegistry metrics,
      Function<IncidentId, Future<String>> runbookStatus,
      Tuning tuning,
      Tracing tracing) {
    return create(
        vertx,
        config,
        () -> teams,
        outbox,
        slackStore,
        incidents,
        scheduler,
        clock,
        metrics,
        runbookStatus,
        tuning,
        tracing);
  }

  /**
   * With live teams: each delivery looks up the team's routing key and Slack channel in the teams
   * {@code teams} gives then (a reload of teams.yaml changes them). Whether PagerDuty is on at all
   * is decided here, once: with no routing key at start, a key added by a reload needs a restart.
   */
  public static Integrations create(
      Vertx vertx,
      VigilConfig config,
      java.util.function.Supplier<? extends Collection<Team>> teams,
      Outbox outbox,
      SlackMessageStore slackStore,
      IncidentStore incidents,
      Scheduler scheduler,
      Clock clock,
      MeterRegistry metrics,
      Function<IncidentId, Future<String>> runbookStatus,
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
    Function<TeamId, Optional<String>> channels =
        id ->
            teams.get().stream()
                .filter(t -> t.id().equals(id))
                .findFirst()
                .map(t -> t.channels().slackChannel())
                .filter(c -> !c.isEmpty());
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
    SlackNotifier slack = null;
    SlackMessages messages = null;
    SlackClient client = null;
    if (config.slack().enabled()) {
      Circuit circuit = new Circuit(vertx, "slack", breaker, -1, metrics);
      client =
          new SlackClient(
              vertx,
              config.slack().apiUrl(),
              config.slack().botToken().reveal(),
              circuit,
              (int) breaker.timeout().toMillis(),
              (int) tuning.slackMaxWait().toMillis());
      messages =
          new SlackMessages(
              client,
              slackStore,
              incidents,
              new Pacer(vertx, tuning.slackPace()),
              clock,
              runbookStatus,
              consoleUrl);
      slack = new SlackNotifier(messages, channels, config.slack().opsChannel(), circuit);
      notifiers.add(slack);
    }
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
        slack,
        messages,
        client,
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

  /** The incidents' Slack messages, for the Slack commands and buttons; empty when Slack is off. */
  public Optional<SlackMessages> slack() {
    return Optional.ofNullable(slackMessages);
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
    if (slackClient != null) {
      slackClient.close();
    }
    if (web != null) {
      web.close();
    }
    if (webhookClient != null) {
      webhookClient.close();
    }
  }
}
