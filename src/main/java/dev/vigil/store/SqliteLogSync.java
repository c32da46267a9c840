package dev.vigil.store;

import dev.vigil.ports.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the {@link SqliteWriter}'s commits durable on a thread of its own (ADR 0146). The writer
 * commits at {@code synchronous=NORMAL}, which writes the transaction's frames to the write-ahead
 * log and returns without syncing it, and goes on to its next transaction at once; this thread then
 * syncs the log ({@code fdatasync}) and only after that hands each commit's results out, in commit
 * order. One sync covers every commit made before it began, so commits that end while one sync runs
 * share the next.
 *
 * <p>What a caller is told is stored is on disk, as at {@code synchronous=FULL}: its future and the
 * pipeline's events wait for the sync. What changes is what other connections can read: a commit is
 * visible to readers a sync (about a millisecond) before it is durable. A reader whose answer leads
 * to an effect outside Vigil (the outbox's sender) waits for {@link #durable} first. A crash loses
 * only commits nobody was told of, and only a suffix of them: SQLite replays the log up to the
 * first frame that did not reach the disk.
 *
 * <p>A failed sync is not retried: the kernel may have dropped the pages it could not write, so a
 * second sync that succeeds proves nothing. The commits it covered fail, and so does every later
 * write (a restart replays what is on disk).
 *
 * <p>Made without a {@link Force} (the store's {@code synchronous} is NORMAL, where SQLite never
 * syncs a commit), it has no thread: each commit is handed out at once, on the writer's thread, and
 * {@link #durable} completes at once. The writer works the same way in both.
 */
final class SqliteLogSync {
  private static final Logger log = LoggerFactory.getLogger(SqliteLogSync.class);

  /** Syncs the log's file; {@link #wal} in use, a stand-in in tests. */
  @FunctionalInterface
  interface Force {
    void force() throws IOException;
  }

  private sealed interface Item permits Committed, Barrier, Stop {}

  /** Commit {@code seq}: {@code durable} runs once it is synced, {@code lost} if the sync fails. */
  private record Committed(long seq, Runnable durable, Consumer<StoreException> lost)
      implements Item {}

  /** Someone waiting for every commit through {@code seq} to be synced. */
  private record Barrier(long seq, Promise<Void> promise, Context caller) implements Item {}

  private record Stop() implements Item {}

  private final Force force;
  private final Runnable onBroken;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Thread thread;

  /** The commit the writer is running or ran last (its COMMIT may have made it visible). */
  private volatile long begun;

  /** Every commit through this one is synced. */
  private volatile long synced;

  private volatile StoreException broken;
  private final AtomicInteger waiters = new AtomicInteger();

  private volatile boolean closed;

  /**
   * @param force syncs the log; null to hand each commit out at once, with no thread
   * @param onBroken runs once, on this thread, when a sync fails
   */
  SqliteLogSync(Force force, Runnable onBroken) {
    this.force = force;
    this.onBroken = onBroken;
    if (force == null) {
      this.thread = null;
      return;
    }
    this.thread = new Thread(this::loop, "vigil-sqlite-sync");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Syncs the write-ahead log of the database file {@code database}: the file {@code
   * <database>-wal}, opened again when SQLite has made a new one.
   */
  static Force wal(Path database) {
    Path file = database.resolveSibling(database.getFileName() + "-wal");
    return new Force() {
      private FileChannel channel;
      private Object key;

      @Override
      public void force() throws IOException {
        Object now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        if (channel == null || now == null || !Objects.equals(now, key)) {
          if (channel != null) {
            channel.close();
          }
          channel = FileChannel.open(file, StandardOpenOption.READ);
          key = now;
        }
        channel.force(false);
      }
    };
  }

  /** Called by the writer just before its COMMIT; returns that commit's number. */
  long begin() {
    return ++begun;
  }

  /** The number of the last commit begun (0: none yet). */
  long begun() {
    return begun;
  }

  /**
   * Called by the writer once the COMMIT of {@code seq} returned (or failed: then with nothing to
   * run, so that those waiting on it are not held).
   */
  void committed(long seq, Runnable durable, Consumer<StoreException> lost) {
    if (thread == null) {
      durable.run();
    } else {
      queue.add(new Committed(seq, durable, lost));
    }
  }

  /**
   * Completes, on the caller's context, once every commit that anyone could have read so far is
   * synced: read first, then wait here, then act on what was read.
   */
  Future<Void> durable(Context caller) {
    StoreException b = broken;
    if (b != null) {
      return Future.failedFuture(b);
    }
    if (closed) {
      return Future.failedFuture(new StoreException("store: closed", null));
    }
    if (thread == null) {
      return Future.succeededFuture(); // nothing is ever synced here: nothing to wait for
    }
    long seq = begun;
    if (seq <= synced) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    waiters.incrementAndGet();
    queue.add(new Barrier(seq, promise, caller));
    return promise.future();
  }

  /** Why writes fail for good since a sync failed; null while syncs succeed. */
  StoreException broken() {
    return broken;
  }

  /** Callers of {@link #durable} still waiting (tests). */
  int waiters() {
    return waiters.get();
  }

  /** Hands out what is queued, syncing it first, then stops the thread. */
  void close() throws InterruptedException {
    closed = true;
    if (thread == null) {
      return;
    }
    queue.add(new Stop());
    thread.join();
    // a caller of durable() that raced the stop
    List<Item> late = new ArrayList<>();
    queue.drainTo(late);
    List<Barrier> left = new ArrayList<>();
    for (Item item : late) {
      if (item instanceof Barrier b) {
        left.add(b);
      }
    }
    release(left, true);
  }

  private void loop() {
    List<Item> items = new ArrayList<>();
    List<Barrier> waiting = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        items.add(queue.take());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      queue.drainTo(items);
      long through = -1;
      for (Item item : items) {
        if (item instanceof Committed c) {
          through = Math.max(through, c.seq());
        } else if (item instanceof Barrier b) {
          waiting.add(b);
        } else {
          stop = true;
        }
      }
      if (through >= 0) {
        sync(through);
      }
      for (Item item : items) {
        if (item instanceof Committed c) {
          handOut(c);
        }
      }
      items.clear();
      release(waiting, stop);
    }
  }

  private void sync(long through) {
    if (broken != null) {
      return;
    }
    try {
      force.force();
      synced = Math.max(synced, through);
    } catch (IOException | RuntimeException | Error e) {
      // an Error too (InternalError from a mapped write, say): this thread ending would leave
      // every commit from here on unanswered
      broken =
          new StoreException(
              "store: the SQLite log could not be synced to disk ("
                  + e.getMessage()
                  + "); writes since the last sync may be lost, and the store takes no more until"
                  + " Vigil restarts",
              e);
      log.atError().setCause(e).log(broken.getMessage());
      try {
        onBroken.run();
      } catch (RuntimeException again) {
        log.atError().setCause(again).log("store: stopping after a failed sync failed");
      }
    }
  }

  private void handOut(Committed c) {
    try {
      if (broken == null) {
        c.durable().run();
      } else {
        c.lost().accept(broken);
      }
    } catch (RuntimeException | Error e) { // an Error too: it would end the thread handing out
      log.atError().setCause(e).log("store: handing out a synced commit failed");
    }
  }

  private void release(List<Barrier> waiting, boolean stop) {
    for (Iterator<Barrier> it = waiting.iterator(); it.hasNext(); ) {
      Barrier b = it.next();
      StoreException failure = broken;
      if (failure == null && b.seq() > synced && !stop) {
        continue; // its commit is still running or queued here
      }
      it.remove();
      waiters.decrementAndGet();
      StoreException cause =
          failure != null || b.seq() <= synced
              ? failure
              : new StoreException("store: closed before the log was synced", null);
      Runnable done = cause == null ? () -> b.promise().complete() : () -> b.promise().fail(cause);
      try {
        if (b.caller() == null) {
          done.run();
        } else {
          b.caller().runOnContext(v -> done.run());
        }
      } catch (RuntimeException e) {
        // a closed Vert.x, say: this thread must go on handing out the others
        log.atWarn().log("store: telling a caller its reads are on disk failed: " + e);
      }
    }
  }
}
