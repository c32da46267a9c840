package dev.vigil.runbook.action;

import dev.vigil.expr.EvalException;
import dev.vigil.runbook.RenderedAction;
import dev.vigil.runbook.StepSpec;
import dev.vigil.timer.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code check} step: sends its request every {@code interval} until {@code until} holds for
 * the response or {@code timeout} passes. A request that fails (refused, timed out) counts as "not
 * yet". The output is the last response. Intervals use the {@link Scheduler}, so tests move time by
 * hand.
 */
public final class CheckAction implements Action {
  private final HttpAction http;
  private final Scheduler scheduler;
  private final Clock clock;

  public CheckAction(HttpAction http, Scheduler scheduler, Clock clock) {
    this.http = http;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  @Override
  public String kind() {
    return "check";
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    RenderedAction.Poll poll = (RenderedAction.Poll) attempt.action();
    StepSpec.Check spec = (StepSpec.Check) attempt.step().spec();
    Instant deadline = clock.instant().plus(poll.timeout());
    Promise<StepOutcome> done = Promise.promise();
    Context ctx = Vertx.currentContext();
    attempt.onCancel(() -> done.tryComplete(StepOutcome.failed("check cancelled", Map.of())));
    poll(attempt, poll, spec, deadline, done, ctx, Map.of());
    return done.future();
  }

  private void poll(
      Attempt attempt,
      RenderedAction.Poll poll,
      StepSpec.Check spec,
      Instant deadline,
      Promise<StepOutcome> done,
      Context ctx,
      Map<String, Object> last) {
    if (attempt.cancelled()) {
      return;
    }
    Duration perRequest =
        poll.interval().compareTo(Duration.ofSeconds(30)) < 0
            ? Duration.ofSeconds(30)
            : poll.interval();
    http.request(poll.request(), perRequest, attempt.traceHeaders())
        .onComplete(
            ar -> {
              Map<String, Object> response = ar.succeeded() ? ar.result() : last;
              if (ar.succeeded()) {
                Map<String, Object> b = new LinkedHashMap<>(attempt.bindings());
                b.put("response", response);
                try {
                  if (spec.until().test(b)) {
                    done.tryComplete(StepOutcome.done(response));
                    return;
                  }
                } catch (EvalException e) {
                  // the response is not what the condition expects yet (e.g. an empty result): not
                  // yet
                }
              }
              Instant next = clock.instant().plus(poll.interval());
              if (!next.isBefore(deadline)) {
                done.tryComplete(
                    StepOutcome.timedOut(
                        "check: \""
                            + poll.until()
                            + "\" did not hold within "
                            + dev.vigil.config.Durations.format(poll.timeout())
                            + (ar.failed()
                                ? " (last request failed: " + ar.cause().getMessage() + ")"
                                : ""),
                        response));
                return;
              }
              Scheduler.Timer t =
                  scheduler.at(
                      next,
                      () -> {
                        if (ctx != null) {
                          ctx.runOnContext(
                              v -> poll(attempt, poll, spec, deadline, done, ctx, response));
                        } else {
                          poll(attempt, poll, spec, deadline, done, ctx, response);
                        }
                        return Future.succeededFuture();
                      });
              attempt.onCancel(t::cancel);
            });
  }
}
