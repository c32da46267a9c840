package dev.vigil.runbook.engine;

import dev.vigil.runbook.Runbook;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Admission alone on a store: this engine sees every run, and counts each key's slots itself. */
final class LocalAdmission implements Admission {
  private static final Logger LOG = LoggerFactory.getLogger(LocalAdmission.class);
  private final BiConsumer<LiveRun, RunEvent> feed;
  private final Map<String, Integer> activeByKey = new HashMap<>();
  private final Map<String, Deque<LiveRun>> queued = new HashMap<>();

  LocalAdmission(BiConsumer<LiveRun, RunEvent> feed) {
    this.feed = feed;
  }

  @Override
  public void admit(LiveRun r) {
    String key = r.record.concurrencyKey();
    if (key != null) {
      int limit = r.runbook.concurrency().map(Runbook.Concurrency::limit).orElse(Integer.MAX_VALUE);
      int active = activeByKey.getOrDefault(key, 0);
      if (active >= limit) {
        queued.computeIfAbsent(key, k -> new ArrayDeque<>()).add(r);
        RunTelemetry.log(LOG, r).log(
            "run "
                + r.id
                + " queued: "
                + active
                + " run(s) of key "
                + key
                + " already running (limit "
                + limit
                + ")");
        return;
      }
      activeByKey.put(key, active + 1);
      r.slot = true;
    }
    feed.accept(r, new RunEvent.Start());
  }

  @Override
  public void holding(LiveRun r) {
    if (r.record.concurrencyKey() != null) {
      activeByKey.merge(r.record.concurrencyKey(), 1, Integer::sum);
      r.slot = true;
    }
  }

  @Override
  public void release(LiveRun r) {
    if (!Admission.holdsSlot(r, queued)) {
      return;
    }
    String key = r.record.concurrencyKey();
    r.released = true;
    activeByKey.merge(key, -1, Integer::sum);
    if (activeByKey.get(key) <= 0) {
      activeByKey.remove(key);
    }
    Deque<LiveRun> q = queued.get(key);
    if (q != null && !q.isEmpty()) {
      LiveRun next = q.poll();
      if (q.isEmpty()) {
        queued.remove(key);
      }
      admit(next);
    }
  }

  @Override
  public void ended(LiveRun r) {}

  @Override
  public void askAgain() {}
}
