package dev.vigil.wiring;

import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.Escalator;
import dev.vigil.expr.Secrets;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.DeliveryWatch;
import dev.vigil.notify.Outbox;
import dev.vigil.notify.RunbookMessages;
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
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;

/** The runbook engine of a daemon, with its actions and its way to hand incidents to escalation. */
public final class RunbookWiring {
  private RunbookWiring() {}

  /**
   * The runbook engine and the services its step kinds perform with. Escalation goes to the
   * escalator (a failed run hands the incident over; an {@code incident: escalate} step pages the
   * next level). {@code slack} steps, {@code pagerduty} steps, approval requests and the guard's
   * ops message go to the notification outbox ({@link RunbookMessages}).
   *
   * @param kinds the step kinds runbooks may use
   * @param deliveries where steps wait for their intents' outcome
   * @param deliver wakes delivery after a step enqueued an intent
   * @param decisionMargin how old an incident must be before a sweep decides it as lost
   */
  public static Engine engine(
      Vertx vertx,
      VigilConfig config,
      RunStore runs,
      RunbookRegistry runbooks,
      StepKinds kinds,
      Escalator escalator,
      IncidentStore incidents,
      Scheduler scheduler,
      Outbox outbox,
      DeliveryWatch deliveries,
      Runnable deliver,
      Duration decisionMargin,
      Clock clock,
      MeterRegistry metrics,
      Tracing tracing) {
    Notifications notifications =
        new RunbookMessages(
            outbox,
            deliveries,
            incidents,
            new TimelineNotifications(incidents, clock),
            config.slack().opsChannel(),
            clock,
            deliver);
    Escalation escalation =
        new Escalation() {
          @Override
          public Future<Void> runFailed(IncidentId incident, String by, String reason) {
            return incidents
                .append(
                    incident, new TimelineEvent(clock.instant(), "runbook-handover", by, reason))
                .compose(e -> escalator.runbookFailed(incident));
          }

          @Override
          public Future<Void> escalateNow(IncidentId incident, String by, String reason) {
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
    Random random = new Random();
    Engine e =
        new Engine(
            new Engine.Deps(
                runs,
                incidents,
                runbooks,
                RunbookReader.of(config.runbooks(), kinds),
                kinds,
                steps,
                escalation,
                notifications,
                scheduler,
                clock,
                random::nextDouble,
                metrics,
                tracing,
                new Secrets(config.runbooks().secrets())));
    e.setDecisionMargin(decisionMargin);
    return e;
  }

  /**
   * What the incident's Slack message says about its runbook: the latest run and its status, or
   * nothing.
   */
  public static Future<String> status(RunStore runs, IncidentId id) {
    return runs.forIncident(id)
        .map(
            list -> {
              if (list.isEmpty()) {
                return "";
              }
              var last = list.get(list.size() - 1);
              return last.runbook() + ": " + last.status().wire();
            });
  }
}
