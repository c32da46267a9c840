package dev.vigil.runbook.action;

import dev.vigil.runbook.RenderedAction;
import io.vertx.core.Future;
import java.time.Clock;

/**
 * The {@code wait} step: a durable pause. The engine stores the wake-up time, so a restart waits
 * only for what is left.
 */
public final class WaitAction implements Action {
  private final Clock clock;

  public WaitAction(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String kind() {
    return "wait";
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    RenderedAction.Pause pause = (RenderedAction.Pause) attempt.action();
    return Future.succeededFuture(
        new StepOutcome.Suspend(clock.instant().plus(pause.duration()), false, null));
  }
}
