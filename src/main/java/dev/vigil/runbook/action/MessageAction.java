package dev.vigil.runbook.action;

import dev.vigil.runbook.RenderedAction;
import io.vertx.core.Future;

/**
 * The {@code slack} and {@code pagerduty} steps: an intent written to the notification outbox (the
 * dedup key is the run and step, so a step run again after a crash does not notify twice once the
 * outbox honours it). One class serves both kinds because both are "store an intent".
 */
public final class MessageAction implements Action {
  private final String kind;
  private final Notifications notifications;

  private MessageAction(String kind, Notifications notifications) {
    this.kind = kind;
    this.notifications = notifications;
  }

  public static MessageAction slack(Notifications n) {
    return new MessageAction("slack", n);
  }

  public static MessageAction pagerDuty(Notifications n) {
    return new MessageAction("pagerduty", n);
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    Notifications.Intent intent;
    if (attempt.action() instanceof RenderedAction.Message m) {
      intent = new Notifications.Intent(attempt.incident(), "slack", m.channel().orElse(""), m.text(), attempt.run() + "/" + attempt.step().id());
    } else {
      RenderedAction.Page p = (RenderedAction.Page) attempt.action();
      intent = new Notifications.Intent(attempt.incident(), "pagerduty", p.action(),
          p.summaryText().orElse(p.action() + " " + attempt.incident()) + p.severity().map(s -> " [" + s + "]").orElse(""),
          attempt.incident().toString());
    }
    return notifications.send(intent).map(StepOutcome::done)
        .recover(e -> Future.succeededFuture(StepOutcome.failed(kind + ": could not store the message: " + e.getMessage(), java.util.Map.of())));
  }
}
