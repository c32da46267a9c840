package dev.vigil.notify;

import dev.vigil.config.VigilConfig;
import dev.vigil.ports.Failures;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.TimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker of one integration ({@code notify.breaker}): after {@code maxFailures} failed
 * calls within {@code failuresWindow} it opens, and calls fail at once (as a {@link
 * DeliveryException} with {@link DeliveryException#circuitOpen()}) until {@code resetTimeout} has
 * passed and a trial call succeeds. Permanent refusals (a PagerDuty 400, a Slack {@code
 * channel_not_found}) do not count: they say the request is wrong, not that the service is down.
 * Its state is the gauge {@code vigil_circuit_state{integration}} (0 closed, 1 half-open, 2 open).
 */
public final class Circuit {
  private static final Logger log = LoggerFactory.getLogger(Circuit.class);

  private final String integration;
  private final CircuitBreaker breaker;

  /**
   * @param timeoutMillis a call slower than this fails and counts (-1: no timeout; Slack bounds its
   *     own calls, and a call abandoned by the breaker could still post behind our back)
   */
  public Circuit(
      Vertx vertx,
      String integration,
      VigilConfig.Breaker config,
      long timeoutMillis,
      MeterRegistry metrics) {
    this.integration = integration;
    this.breaker =
        CircuitBreaker.create(
                "vigil-" + integration,
                vertx,
                new CircuitBreakerOptions()
                    .setMaxFailures(config.maxFailures())
                    .setTimeout(timeoutMillis)
                    .setResetTimeout(config.resetTimeout().toMillis())
                    .setFailuresRollingWindow(config.failuresWindow().toMillis())
                    .setNotificationAddress(null))
            .failurePolicy(
                f -> f.failed() && !(f.cause() instanceof DeliveryException d && d.permanent()))
            .openHandler(
                v ->
                    log.atWarn()
                        .addKeyValue("integration", integration)
                        .log("notify: " + integration + " circuit opened"))
            .halfOpenHandler(
                v ->
                    log.atInfo()
                        .addKeyValue("integration", integration)
                        .log("notify: " + integration + " circuit half-open: trying again"))
            .closeHandler(
                v ->
                    log.atInfo()
                        .addKeyValue("integration", integration)
                        .log("notify: " + integration + " circuit closed"));
    if (metrics != null) {
      Gauge.builder("vigil_circuit_state", this, c -> c.level())
          .description("Circuit breaker state per integration: 0 closed, 1 half-open, 2 open")
          .tag("integration", integration)
          .strongReference(true)
          .register(metrics);
    }
  }

  /**
   * Runs {@code call} through the breaker; open circuit and timeouts become {@link
   * DeliveryException}s.
   */
  public <T> Future<T> call(String what, Supplier<Future<T>> call) {
    return breaker
        .execute(call)
        .recover(
            e -> {
              if (e instanceof DeliveryException) {
                return Future.failedFuture(e);
              }
              if (e instanceof OpenCircuitException) {
                return Future.failedFuture(
                    new DeliveryException(
                        integration
                            + ": "
                            + what
                            + " not sent: circuit open after repeated failures",
                        false,
                        true));
              }
              if (e instanceof TimeoutException) {
                return Future.failedFuture(
                    DeliveryException.transientFailure(integration + ": " + what + " timed out"));
              }
              return Future.failedFuture(
                  DeliveryException.transientFailure(
                      integration + ": " + what + " failed: " + Failures.describe(e)));
            });
  }

  public CircuitBreakerState state() {
    return breaker.state();
  }

  /** {@code closed}, {@code half-open} or {@code open}. */
  public String describe() {
    return switch (breaker.state()) {
      case CLOSED -> "closed";
      case HALF_OPEN -> "half-open";
      case OPEN -> "open";
    };
  }

  private double level() {
    return switch (breaker.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}
