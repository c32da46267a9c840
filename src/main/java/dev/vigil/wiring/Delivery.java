package dev.vigil.wiring;

import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.LiveRouting;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.notify.Outbox;
import dev.vigil.notify.integrations.Integrations;
import dev.vigil.slack.SlackDelivery;
import dev.vigil.slack.SlackMessageStore;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How notifications leave a daemon: the Slack delivery (when Slack is configured) and the
 * integrations that take intents from the outbox, and the wake-up the parts that enqueue call.
 *
 * @param slack the incidents' Slack messages and their notifier; empty when Slack is off
 */
public record Delivery(Optional<SlackDelivery> slack, Integrations integrations) {
  private static final Logger log = LoggerFactory.getLogger(Delivery.class);

  /**
   * PagerDuty, Slack and webhooks when configured, each behind a circuit breaker; otherwise the log
   * notifier. The teams are read from {@code routing} at each use.
   *
   * @param runbookStatus an incident's runbook status in a few words, for its Slack message
   */
  public static Delivery create(
      Vertx vertx,
      VigilConfig config,
      LiveRouting routing,
      Outbox outbox,
      SlackMessageStore slackMessages,
      IncidentStore incidents,
      Scheduler scheduler,
      Clock clock,
      MeterRegistry metrics,
      Function<IncidentId, Future<String>> runbookStatus,
      Tracing tracing) {
    Optional<SlackDelivery> slack =
        SlackDelivery.create(
            vertx,
            config,
            () -> routing.schedule().teams(),
            slackMessages,
            incidents,
            clock,
            metrics,
            runbookStatus,
            SlackDelivery.Tuning.DEFAULT);
    Integrations integrations =
        Integrations.create(
            vertx,
            config,
            () -> routing.schedule().teams(),
            outbox,
            slack.map(SlackDelivery::notifier),
            incidents,
            scheduler,
            clock,
            metrics,
            Integrations.Tuning.DEFAULT,
            tracing);
    return new Delivery(slack, integrations);
  }

  /**
   * Delivers what is due in the outbox now, without waiting: called after each commit that enqueued
   * intents. A failure is logged; the outbox sweep tries again.
   */
  public static Runnable wakeUp(Integrations integrations) {
    return () ->
        integrations
            .drain()
            .onFailure(
                e ->
                    log.atError()
                        .setCause(e)
                        .log("notify: delivering the outbox failed: " + e.getMessage()));
  }
}
