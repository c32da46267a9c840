package dev.vigil.runbook.action;

import dev.vigil.runbook.RenderedAction;
import io.vertx.core.Future;
import java.util.Map;

/**
 * The {@code slack} step: a message in the notification outbox (key: the run and step, so a step
 * run again after a crash posts once), waited for until it is delivered. Its output is where the
 * message went and its {@code ts}, so a later step can address it (a thread reply, {@code
 * chat.update}). A message Slack refused for good, or could not take within its retries, fails the
 * step with why.
 */
public final class SlackAction implements Action {
  private final Notifications notifications;

  public SlackAction(Notifications notifications) {
    this.notifications = notifications;
  }

  @Override
  public String kind() {
    return "slack";
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    RenderedAction.Message m = (RenderedAction.Message) attempt.action();
    String key = attempt.run() + "/" + attempt.step().id();
    attempt.onCancel(() -> notifications.abandon(key));
    return notifications
        .post(
            new Notifications.Intent(
                attempt.incident(), "slack", m.channel().orElse(""), m.text(), key))
        .map(StepOutcome::done)
        .recover(e -> Future.succeededFuture(StepOutcome.failed(e.getMessage(), Map.of())));
  }
}
