package dev.vigil.runbook.action;

import dev.vigil.runbook.RenderedAction;
import io.vertx.core.Future;
import java.util.Map;

/**
 * The {@code pagerduty} step: a PagerDuty Events v2 event ({@code trigger}, {@code acknowledge} or
 * {@code resolve}) with the incident's id as {@code dedup_key}, to the routing key of the
 * incident's team (or the team the step names), through the notification outbox (key: the run and
 * step, so a step run again after a crash sends one event). The step waits until PagerDuty took the
 * event and outputs the {@code dedupKey} it returned. It fails, saying why, when nothing was paged:
 * no team or routing key, PagerDuty off, a refusal (HTTP 400), retries used up, or a trigger for an
 * incident resolved meanwhile.
 */
public final class PagerDutyAction implements Action {
  private final Notifications notifications;

  public PagerDutyAction(Notifications notifications) {
    this.notifications = notifications;
  }

  @Override
  public String kind() {
    return "pagerduty";
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    RenderedAction.Page p = (RenderedAction.Page) attempt.action();
    String key = attempt.run() + "/" + attempt.step().id();
    attempt.onCancel(() -> notifications.abandon(key));
    return notifications
        .page(
            new Notifications.Page(
                attempt.incident(), p.action(), p.summaryText(), p.severity(), p.team(), key))
        .map(StepOutcome::done)
        .recover(e -> Future.succeededFuture(StepOutcome.failed(e.getMessage(), Map.of())));
  }
}
