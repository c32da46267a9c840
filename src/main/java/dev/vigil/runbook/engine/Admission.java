package dev.vigil.runbook.engine;

import java.time.Clock;
import java.time.Instant;

/**
 * How many runs of one concurrency key ({@code concurrency.key}, rendered per incident) may run at
 * once. A run without a key starts at once; one with a key starts when fewer than the runbook's
 * {@code limit} runs of that key are running, else it stays pending in a queue, oldest first. Alone
 * on its store the engine counts in memory ({@link LocalAdmission}); replicas sharing a store ask
 * it, since only the store sees every replica's runs ({@link StoreAdmission}).
 */
interface Admission {

  /** What admission needs from the engine. */
  interface Runs {
    /** A slot was granted: the run starts, and the engine stores its start. */
    void start(LiveRun r);

    /** The store granted a slot and stored the run running with these times. */
    void started(LiveRun r, Instant startedAt, Instant deadline);

    /** True while {@code r} is the run the engine works on (not finished, not given up). */
    boolean live(LiveRun r);

    /** A write failed: the run stalls and resumes later (see the engine). */
    void storeFailed(LiveRun r, Throwable e);

    /** A line for the run's log. */
    void log(LiveRun r, String text);
  }

  /** Starts a pending run now if its key has room, else queues it. */
  void admit(LiveRun r);

  /** A resumed run that runs already: it holds a slot of its key. */
  void holding(LiveRun r);

  /** The run ends or is given up: its slot is freed, or it leaves the queue. */
  void release(LiveRun r);

  /** The run's end is stored. */
  void ended(LiveRun r);

  /** Called every lease period: queued runs ask again for a slot another replica freed. */
  void askAgain();

  static Admission of(RunStore store, Clock clock, Loop loop, Runs runs) {
    return store.shared() ? new StoreAdmission(store, clock, loop, runs) : new LocalAdmission(runs);
  }
}
