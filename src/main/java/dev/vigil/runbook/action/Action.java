package dev.vigil.runbook.action;

import io.vertx.core.Future;

/**
 * What one step kind does: one implementation per kind ({@code http}, {@code exec}, ...). The
 * engine renders the step's templates and calls {@link #perform} once per try, on its event loop;
 * an implementation must not block it (blocking work goes to a worker).
 *
 * <p>The returned future fails only for a bug; every expected failure (a bad status, a non-zero
 * exit, a timeout) is a {@link StepOutcome.Failed}.
 */
public interface Action {

  /** The step kind this action performs, as written in runbooks. */
  String kind();

  Future<StepOutcome> perform(Attempt attempt);
}
