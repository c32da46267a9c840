package dev.vigil.runbook.action;

import dev.vigil.config.Durations;
import dev.vigil.runbook.RenderedAction;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;

/**
 * The {@code approval} step: asks for a decision (through {@link Notifications}: a Slack message
 * with Approve and Reject buttons) and pauses the run durably until someone approves or rejects it
 * ({@code POST /api/v1/runs/{id}/approve|reject}) or its timeout fails it. Without a timeout it
 * waits for as long as the run's own timeout allows.
 */
public final class ApprovalAction implements Action {
  private final Clock clock;
  private final Notifications notifications;

  public ApprovalAction(Clock clock, Notifications notifications) {
    this.clock = clock;
    this.notifications = notifications;
  }

  @Override
  public String kind() {
    return "approval";
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    RenderedAction.ApprovalRequest req = (RenderedAction.ApprovalRequest) attempt.action();
    Instant wake = req.timeout().map(t -> clock.instant().plus(t)).orElse(null);
    String text =
        "Approval needed for runbook "
            + attempt.runbook()
            + " ("
            + attempt.run()
            + ", step "
            + attempt.step().id()
            + "): "
            + req.text()
            + " — use the buttons, `/vigil approve "
            + attempt.run()
            + "` or `/vigil reject "
            + attempt.run()
            + "`, or POST /api/v1/runs/"
            + attempt.run()
            + "/approve or /reject";
    return notifications
        .send(
            new Notifications.Intent(
                attempt.incident(),
                "slack",
                "",
                text,
                attempt.run() + "/" + attempt.step().id(),
                attempt.run().toString()))
        .map(
            sent ->
                (StepOutcome)
                    new StepOutcome.Suspend(
                        wake,
                        true,
                        "no decision within "
                            + req.timeout().map(Durations::format).orElse("the run's timeout")))
        .recover(
            e ->
                Future.succeededFuture(
                    StepOutcome.failed(
                        "approval: could not ask for a decision: " + e.getMessage(),
                        java.util.Map.of())));
  }
}
