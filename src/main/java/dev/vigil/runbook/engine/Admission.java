package dev.vigil.runbook.engine;

import java.time.Clock;
import java.util.Deque;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * How many runs of one concurrency key ({@code concurrency.key}, rendered per incident) may run at
 * once. A run without a key starts at once; one with a key starts when fewer than the runbook's
 * {@code limit} runs of that key are running, else it stays pending in a queue, oldest first. Alone
 * on its store the engine counts in memory ({@link LocalAdmission}); replicas sharing a store ask
 * it, since only the store sees every replica's runs ({@link StoreAdmission}).
 */
interface Admission {

  /** Starts a pending run now if its key has room, else queues it. */
  void admit(LiveRun r);

  /** A resumed run that runs already: it holds a slot of its key. */
  void holding(LiveRun r);

  /** The run ends or is given up: its slot is freed, or it leaves the queue. */
  void release(LiveRun r);

  /**
   * For {@link #release}: whether {@code r} holds a slot not released yet. When it does not, it
   * leaves the queue of its key, if it waits in one.
   */
  static boolean holdsSlot(LiveRun r, Map<String, Deque<LiveRun>> queued) {
    String key = r.record.concurrencyKey();
    if (key != null && r.slot && !r.released) {
      return true;
    }
    Deque<LiveRun> q = key == null ? null : queued.get(key);
    if (q != null) {
      q.remove(r);
    }
    return false;
  }

  /** The run's end is stored. */
  void ended(LiveRun r);

  /** Called every lease period: queued runs ask again for a slot another replica freed. */
  void askAgain();

  /**
   * The admission for {@code store}. A granted slot is handed to the run's machine through {@code
   * feed} ({@link RunEvent.Start}, or {@link RunEvent.Admitted} when the store stored the start); a
   * failed store admission goes to {@code failed}, like any failed write.
   */
  static Admission of(
      RunStore store,
      Clock clock,
      Loop loop,
      BiConsumer<LiveRun, RunEvent> feed,
      BiConsumer<LiveRun, Throwable> failed) {
    return store.shared()
        ? new StoreAdmission(store, clock, loop, feed, failed)
        : new LocalAdmission(feed);
  }
}
