package dev.vigil.runbook.engine;

import dev.vigil.runbook.action.Scheduler;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;

/** Timers on Vert.x, measured against the injected clock; a task runs on the context that armed it. */
public final class VertxScheduler implements Scheduler {
  private final Vertx vertx;
  private final Clock clock;

  public VertxScheduler(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  @Override
  public Timer at(Instant when, Runnable task) {
    long delay = Math.max(1, when.toEpochMilli() - clock.millis());
    long id = vertx.setTimer(delay, x -> task.run());
    return () -> vertx.cancelTimer(id);
  }
}
