package dev.vigil.store;

import dev.vigil.ports.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A piece of work queued for {@link SqliteWriter}'s thread, and how its caller is told: its result
 * or failure, set on the writer thread, completes the caller's future on the caller's context.
 */
class WriterJob<T> {
  // the writer's own log: these lines are about its writes
  private static final Logger log = LoggerFactory.getLogger(SqliteWriter.class);

  final SqliteWriter.Work<T> work;
  final Runnable onCommit;
  final Consumer<T> committed;
  final Promise<T> promise;
  final Context caller;
  T result;
  Throwable failure;

  WriterJob(
      SqliteWriter.Work<T> work,
      Runnable onCommit,
      Consumer<T> committed,
      Promise<T> promise,
      Context caller) {
    this.work = work;
    this.onCommit = onCommit;
    this.committed = committed;
    this.promise = promise;
    this.caller = caller;
  }

  void complete() {
    Runnable done =
        () -> {
          if (failure == null) {
            promise.complete(result);
          } else {
            promise.fail(failure);
          }
        };
    if (caller == null) {
      done.run();
    } else {
      caller.runOnContext(v -> done.run());
    }
  }

  /** Gives the committed result to the {@code committed} callback, if any. */
  void runCommitted() {
    if (committed == null) {
      return;
    }
    try {
      committed.accept(result);
    } catch (RuntimeException | Error e) { // an Error too: it would end the thread handing out
      log.atError().setCause(e).log("store: a listener failed after commit; the change is stored");
    }
  }

  /** Completes every piece's future, with its result or its failure. */
  static void completeAll(List<WriterJob<?>> batch) {
    for (WriterJob<?> job : batch) {
      try {
        job.complete();
      } catch (RuntimeException | Error e) {
        // a closed Vert.x, say, or a caller's callback that threw where no Vert.x context took it
        // (no caller context: it ran here): the other pieces are still told, and the thread lives
        log.atWarn().setCause(e).log("store: completing a write failed");
      }
    }
  }

  /**
   * A job that runs alone between two of the writer's transactions, not in one: the writer commits
   * what it gathered before it, then runs it.
   */
  abstract static class Alone<T> extends WriterJob<T> {
    Alone(Promise<T> promise, Context caller) {
      super(null, null, null, promise, caller);
    }

    /** On the writer thread; {@code broken}: the writer's lasting failure, or null. */
    abstract void run(StoreException broken);
  }

  /**
   * A task for the writer thread between transactions ({@link SqliteWriter#onThread}): no
   * transaction, no commit, nobody to tell.
   */
  static final class Task extends Alone<Void> {
    private final Runnable task;

    Task(Runnable task) {
      super(null, null);
      this.task = task;
    }

    @Override
    void run(StoreException broken) {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.atError().setCause(e).log("store: a task on the writer thread failed");
      }
    }

    @Override
    void complete() {}
  }

  /**
   * A transaction of the Vert.x pool's own connection (the small writers that do not run on the
   * writer thread: escalation, leases, heartbeats, overrides, Slack message ids): it runs while the
   * writer thread waits, in its turn in the queue, so SQLite's lock is never fought over and no
   * writer waits out {@code busy_timeout} behind another.
   */
  static final class Exclusive<T> extends Alone<T> {
    /**
     * How long a pool transaction may hold the turn; past it the writer thread goes on (its next
     * BEGIN then waits for the lock).
     */
    static final long MAX_MILLIS = 30_000;

    final Supplier<Future<T>> section;

    Exclusive(Supplier<Future<T>> section, Promise<T> promise, Context caller) {
      super(promise, caller);
      this.section = section;
    }

    /**
     * On the writer thread: starts the section on its caller's context and waits until it ends (or
     * {@link #MAX_MILLIS}); fails it at once with {@code broken} if writes fail for good.
     */
    @Override
    void run(StoreException broken) {
      try {
        start(broken);
      } catch (RuntimeException | Error e) {
        // its caller's Vert.x is closed, say (the section never started): the writer goes on, or
        // every later write, and the writer's own stop, would wait for good
        log.atWarn().setCause(e).log("store: a transaction on the pool's connection never started");
        try {
          promise.tryFail(e); // its listeners run here, with no context to take a throw
        } catch (RuntimeException | Error again) {
          log.atWarn().setCause(again).log("store: telling a pool transaction it failed failed");
        }
      }
    }

    private void start(StoreException broken) {
      if (broken != null) {
        // its own commit would sync, but a sync that succeeds after one failed proves nothing
        failure = broken;
        complete();
        return;
      }
      CompletableFuture<Void> released = new CompletableFuture<>();
      caller.runOnContext(
          v -> {
            Future<T> f;
            try {
              f = section.get();
            } catch (RuntimeException | Error e) { // or the writer would wait out MAX_MILLIS
              f = Future.failedFuture(e);
            }
            f.onComplete(
                ar -> {
                  released.complete(null);
                  if (ar.succeeded()) {
                    promise.complete(ar.result());
                  } else {
                    promise.fail(ar.cause());
                  }
                });
          });
      try {
        released.get(MAX_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        log.atWarn()
            .log(
                "store: a transaction on the pool's connection held the writer's turn for over "
                    + MAX_MILLIS
                    + " ms; going on");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        // not completed exceptionally
      }
    }
  }
}
