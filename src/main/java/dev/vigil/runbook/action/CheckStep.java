package dev.vigil.runbook.action;

import dev.cel.common.types.CelType;
import dev.vigil.config.Durations;
import dev.vigil.config.Fields;
import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.Bindings;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Expression;
import dev.vigil.timer.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code check} step: sends its request every {@code interval} until {@code until} holds for
 * the response or {@code timeout} passes. A request that fails (refused, timed out) counts as "not
 * yet". The output is the last response. Intervals use the {@link Scheduler}, so tests move time by
 * hand.
 */
public final class CheckStep implements StepKind {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  @Override
  public String name() {
    return "check";
  }

  @Override
  public boolean readsSecrets() {
    return true;
  }

  @Override
  public CelType outputType() {
    return ExprTypes.HTTP_RESPONSE;
  }

  @Override
  public Map<String, Object> zeroOutput() {
    return Bindings.httpResponse(0, Map.of(), "", null);
  }

  @Override
  public Optional<Spec> parse(YamlNode node, SpecReader in) {
    Fields c = node.fields("http", "until", "interval", "timeout");
    Optional<HttpStep.Spec> http = c.required("http").flatMap(h -> new HttpStep().parse(h, in));
    Optional<Expression> until =
        c.required("until").flatMap(u -> in.condition(u, "response", ExprTypes.HTTP_RESPONSE));
    Duration interval = c.get("interval").flatMap(in::positive).orElse(DEFAULT_INTERVAL);
    Duration timeout = c.get("timeout").flatMap(in::positive).orElse(DEFAULT_TIMEOUT);
    if (interval.compareTo(timeout) > 0) {
      c.get("interval")
          .orElse(node)
          .error(
              "interval "
                  + Durations.format(interval)
                  + " is longer than timeout "
                  + Durations.format(timeout));
    }
    if (http.isEmpty() || until.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Spec(http.get(), until.get(), interval, timeout, node.pos()));
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
    Poll poll = (Poll) attempt.action();
    Spec spec = (Spec) attempt.spec();
    Instant deadline = services.clock().instant().plus(poll.timeout());
    Promise<StepOutcome> done = Promise.promise();
    Context ctx = Vertx.currentContext();
    attempt.onCancel(() -> done.tryComplete(StepOutcome.failed("check cancelled", Map.of())));
    new Polling(attempt, poll, spec, deadline, done, ctx, services).next(Map.of());
    return done.future();
  }

  /** One check's tries, each after the last one's answer. */
  private record Polling(
      Attempt attempt,
      Poll poll,
      Spec spec,
      Instant deadline,
      Promise<StepOutcome> done,
      Context ctx,
      StepServices services) {

    void next(Map<String, Object> last) {
      if (attempt.cancelled()) {
        return;
      }
      Duration perRequest =
          poll.interval().compareTo(Duration.ofSeconds(30)) < 0
              ? Duration.ofSeconds(30)
              : poll.interval();
      services
          .http()
          .request(poll.request(), perRequest, attempt.traceHeaders())
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
                    // the response is not what the condition expects yet (an empty result):
                    // not yet
                  }
                }
                Instant at = services.clock().instant().plus(poll.interval());
                if (!at.isBefore(deadline)) {
                  done.tryComplete(
                      StepOutcome.timedOut(
                          "check: \""
                              + poll.until()
                              + "\" did not hold within "
                              + Durations.format(poll.timeout())
                              + (ar.failed()
                                  ? " (last request failed: " + ar.cause().getMessage() + ")"
                                  : ""),
                          response));
                  return;
                }
                Scheduler.Timer t =
                    services
                        .scheduler()
                        .at(
                            at,
                            () -> {
                              if (ctx != null) {
                                ctx.runOnContext(v -> next(response));
                              } else {
                                next(response);
                              }
                              return Future.succeededFuture();
                            });
                attempt.onCancel(t::cancel);
              });
    }
  }

  /**
   * An HTTP request repeated every {@code interval} until {@code until} holds or {@code timeout}
   * passes.
   */
  public record Spec(
      HttpStep.Spec http, Expression until, Duration interval, Duration timeout, Pos pos)
      implements StepSpec {
    @Override
    public String kind() {
      return "check";
    }

    @Override
    public Poll render(Renderer b) throws EvalException {
      return new Poll(http.render(b), until.source(), interval, timeout);
    }
  }

  public record Poll(HttpStep.Call request, String until, Duration interval, Duration timeout)
      implements RenderedAction {
    @Override
    public String summary() {
      return "check "
          + request.summary()
          + " every "
          + Durations.format(interval)
          + " until "
          + until
          + " (at most "
          + Durations.format(timeout)
          + ")";
    }
  }
}
