package dev.vigil.runbook.engine;

import dev.vigil.expr.Secrets;
import dev.vigil.runbook.action.Attempt;
import dev.vigil.runbook.action.StepOutcome;
import dev.vigil.runbook.action.StepServices;
import dev.vigil.timer.Scheduler;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link RunCommand.Perform}: one try of one step, performed by its kind's action, with
 * its per-try timeout armed; the try's outcome (or its timeout) goes back to the run's machine.
 */
final class Tries {
  private static final Logger LOG = LoggerFactory.getLogger(Tries.class);

  private final StepDispatch dispatch;
  private final StepServices services;
  private final RunTelemetry telemetry;
  private final Secrets secrets;
  private final DoubleSupplier jitter;
  private final Loop loop;
  private final BiFunction<Instant, Runnable, Scheduler.Timer> at;
  private final BiConsumer<LiveRun, RunEvent> feed;

  /**
   * {@code at} arms a timer whose task runs on the engine's loop; {@code feed} hands an event to
   * the run's machine.
   */
  Tries(
      StepDispatch dispatch,
      StepServices services,
      RunTelemetry telemetry,
      Secrets secrets,
      DoubleSupplier jitter,
      Loop loop,
      BiFunction<Instant, Runnable, Scheduler.Timer> at,
      BiConsumer<LiveRun, RunEvent> feed) {
    this.dispatch = dispatch;
    this.services = services;
    this.telemetry = telemetry;
    this.secrets = secrets;
    this.jitter = jitter;
    this.loop = loop;
    this.at = at;
    this.feed = feed;
  }

  void perform(LiveRun r, RunCommand.Perform p) {
    String step = p.step().id();
    int n = p.attempt();
    Attempt.Cancellation cancellation = new Attempt.Cancellation();
    r.tries.put(step, cancellation);
    Map<String, String> headers = telemetry.tryStarted(r, p.step(), n);
    if (p.timesOutAt() != null) {
      RunEvent timedOut = new RunEvent.TryTimedOut(step, n, jitter.getAsDouble());
      cancellation.add(at.apply(p.timesOutAt(), () -> feed.accept(r, timedOut))::cancel);
    }
    Attempt attempt =
        new Attempt(
            r.id.toString(),
            r.runbook.name(),
            r.record.incident(),
            step,
            p.step().spec(),
            n,
            p.action(),
            p.bindings(),
            p.timeout(),
            cancellation,
            headers);
    dispatch
        .perform(p.step(), attempt, services)
        .onComplete(
            ar ->
                loop.run(
                    () -> {
                      StepOutcome o = ar.succeeded() ? ar.result() : null;
                      if (ar.failed() && r.machine.current(step, n)) {
                        o = unexpected(r, p, ar.cause());
                      }
                      feed.accept(r, new RunEvent.Outcome(step, n, o, jitter.getAsDouble()));
                    }));
  }

  /** An action's future failed (a bug): logged, and a failed try. */
  private StepOutcome unexpected(LiveRun r, RunCommand.Perform p, Throwable cause) {
    // the cause's message may quote the request, secret and all: then only its redacted text is
    // logged
    String text = String.valueOf(cause);
    var failure =
        LOG.atError().addKeyValue("run", r.id.toString()).addKeyValue("step", p.step().id());
    (secrets.reveals(text) ? failure : failure.setCause(cause))
        .log("runbook action " + p.step().kind() + " failed unexpectedly: " + secrets.redact(text));
    return StepOutcome.failed(p.step().kind() + ": " + cause, Map.of());
  }
}
