package dev.vigil.runbook.engine;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * The engine's event loop: every part of the engine touches its state only from here. Before the
 * engine is deployed a task runs on the caller's thread; once the engine stopped, nothing runs.
 */
final class Loop {
  private volatile Context context;
  private volatile boolean stopping;

  void bind(Context context) {
    this.context = context;
  }

  void stop() {
    stopping = true;
  }

  boolean stopping() {
    return stopping;
  }

  /** Runs {@code task} on the loop. */
  void run(Runnable task) {
    Context ctx = context;
    if (ctx == null || Vertx.currentContext() == ctx) {
      if (!stopping) {
        task.run();
      }
    } else {
      ctx.runOnContext(
          v -> {
            if (!stopping) {
              task.run();
            }
          });
    }
  }

  /** Runs {@code work} on the loop; its future, or the failure it threw. */
  <T> Future<T> call(Supplier<Future<T>> work) {
    Promise<T> p = Promise.promise();
    run(
        () -> {
          try {
            work.get().onComplete(p);
          } catch (RuntimeException e) {
            p.fail(e);
          }
        });
    return p.future();
  }
}
