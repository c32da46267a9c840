package dev.vigil.runbook.engine;

import dev.vigil.runbook.Runbook;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission with replicas sharing the store: a run's slot is its row in the store, and {@link
 * RunStore#admit} counts and takes it in one transaction. The runs queued here ask it oldest first;
 * a slot freed on another replica is noticed at the next lease period ({@link #askAgain}).
 */
final class StoreAdmission implements Admission {
  private final RunStore store;
  private final Clock clock;
  private final Loop loop;
  private static final Logger LOG = LoggerFactory.getLogger(StoreAdmission.class);
  private final BiConsumer<LiveRun, RunEvent> feed;
  private final BiConsumer<LiveRun, Throwable> failed;
  private final Map<String, Deque<LiveRun>> queued = new HashMap<>();
  // keys with an admission under way, and those asked again meanwhile
  private final Set<String> admitting = new HashSet<>();
  private final Set<String> admitAgain = new HashSet<>();

  StoreAdmission(
      RunStore store,
      Clock clock,
      Loop loop,
      BiConsumer<LiveRun, RunEvent> feed,
      BiConsumer<LiveRun, Throwable> failed) {
    this.store = store;
    this.clock = clock;
    this.loop = loop;
    this.feed = feed;
    this.failed = failed;
  }

  @Override
  public void admit(LiveRun r) {
    String key = r.record.concurrencyKey();
    if (key == null) {
      feed.accept(r, new RunEvent.Start());
      return;
    }
    queued.computeIfAbsent(key, k -> new ArrayDeque<>()).add(r);
    admitQueued(key);
  }

  @Override
  public void holding(LiveRun r) {
    r.slot = true;
  }

  @Override
  public void release(LiveRun r) {
    if (!Admission.holdsSlot(r, queued)) {
      return;
    }
    // the slot is the run's row in the store: it frees once the run's end is stored (ended)
    r.released = true;
  }

  @Override
  public void ended(LiveRun r) {
    if (r.record.concurrencyKey() != null) {
      admitQueued(r.record.concurrencyKey());
    }
  }

  @Override
  public void askAgain() {
    List.copyOf(queued.keySet()).forEach(this::admitQueued);
  }

  /**
   * Asks the store to admit the runs queued here for {@code key}, oldest first, until it refuses
   * one. One admission of a key is under way at a time (two at once could start the same run
   * twice); a call meanwhile makes it ask once more when it ends, so a slot freed during it is not
   * missed until the next lease period.
   */
  private void admitQueued(String key) {
    if (!admitting.add(key)) {
      admitAgain.add(key);
      return;
    }
    Deque<LiveRun> q = queued.get(key);
    LiveRun r = q == null ? null : q.peek();
    if (r == null) {
      admitting.remove(key);
      admitAgain.remove(key);
      queued.remove(key);
      return;
    }
    int limit = r.runbook.concurrency().map(Runbook.Concurrency::limit).orElse(Integer.MAX_VALUE);
    Instant now = clock.instant();
    Instant deadline = now.plus(r.runbook.timeout());
    store
        .admit(r.id, key, limit, now, deadline)
        .onComplete(
            ar ->
                loop.run(
                    () -> {
                      admitting.remove(key);
                      boolean again = admitAgain.remove(key);
                      if (r.gone()) {
                        // given up meanwhile (release took it off the queue): the next one may ask
                        admitQueued(key);
                        return;
                      }
                      if (ar.failed()) {
                        // like any failed write: the run stalls and comes back at the next period
                        // that finds the store answering; the rest of the queue asks then too
                        q.remove(r);
                        failed.accept(r, ar.cause());
                        return;
                      }
                      if (!ar.result()) {
                        if (!r.toldQueued) {
                          r.toldQueued = true;
                          RunTelemetry.log(LOG, r).log(
                              "run "
                                  + r.id
                                  + " queued: key "
                                  + key
                                  + " has no free slot among the replicas (limit "
                                  + limit
                                  + ")");
                        }
                        if (again) {
                          admitQueued(key);
                        }
                        return;
                      }
                      q.remove(r);
                      r.slot = true;
                      // the store wrote the run running with these times: no separate write here
                      feed.accept(r, new RunEvent.Admitted(now, deadline));
                      admitQueued(key);
                    }));
  }
}
