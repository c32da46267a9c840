package dev.vigil.runbook.action;

import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.RenderedAction;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.Map;

/**
 * The {@code incident} step: acknowledge, resolve, note or escalate the run's incident.
 * Acknowledging an incident that is already acknowledged (or resolving a resolved one) is not a
 * failure: the incident is where the step wanted it.
 */
public final class IncidentAction implements Action {
  private final IncidentStore incidents;
  private final Escalation escalation;
  private final Clock clock;

  public IncidentAction(IncidentStore incidents, Escalation escalation, Clock clock) {
    this.incidents = incidents;
    this.escalation = escalation;
    this.clock = clock;
  }

  @Override
  public String kind() {
    return "incident";
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    RenderedAction.IncidentAction a = (RenderedAction.IncidentAction) attempt.action();
    String by = "runbook:" + attempt.runbook();
    String text = a.text().orElse("");
    Future<?> f =
        switch (a.action()) {
          case "acknowledge" ->
              incidents
                  .acknowledge(attempt.incident(), by, text, clock.instant())
                  .recover(IncidentAction::alreadyThere);
          case "resolve" ->
              incidents
                  .resolve(attempt.incident(), by, text, clock.instant())
                  .recover(IncidentAction::alreadyThere);
          case "note" ->
              incidents.append(
                  attempt.incident(), new TimelineEvent(clock.instant(), "note", by, text));
          case "escalate" ->
              escalation.escalateNow(
                  attempt.incident(),
                  by,
                  text.isEmpty() ? "runbook " + attempt.runbook() + " asked for it" : text);
          default -> Future.failedFuture("unknown incident action " + a.action());
        };
    return f.map(x -> StepOutcome.done(Map.of()))
        .recover(
            e ->
                Future.succeededFuture(
                    StepOutcome.failed(
                        "incident " + a.action() + " " + attempt.incident() + ": " + e.getMessage(),
                        Map.of())));
  }

  private static <T> Future<T> alreadyThere(Throwable e) {
    if (e instanceof IncidentException ie && ie.reason() != IncidentException.Reason.NOT_FOUND) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(e);
  }
}
