package dev.vigil.timer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on Vert.x timers: the task runs on an event loop (so it must not block), at
 * the due instant read from the injected clock. A due instant in the past fires after 1 ms.
 */
public final class VertxScheduler implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(VertxScheduler.class);

  private final Vertx vertx;
  private final Clock clock;

  public VertxScheduler(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  @Override
  public Timer at(Instant due, Supplier<Future<?>> task) {
    long delay = Math.max(1, Duration.between(clock.instant(), due).toMillis());
    long id =
        vertx.setTimer(
            delay,
            x -> {
              Future<?> f;
              try {
                f = task.get();
              } catch (RuntimeException e) {
                f = Future.failedFuture(e);
              }
              f.onFailure(
                  e ->
                      log.atError()
                          .setCause(e)
                          .log("timer: task due at {} failed: {}", due, e.getMessage()));
            });
    return () -> vertx.cancelTimer(id);
  }
}
