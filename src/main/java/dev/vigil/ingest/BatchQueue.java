package dev.vigil.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The requests waiting in the {@link GroupCommitter}, and which of them go into the next batch.
 * With one batch at a time, the head of the queue. With several, batches in flight together never
 * share a group or an alert, and requests about the same one keep their order: a request waits
 * while a batch in flight, or an earlier request still queued, holds one of its keys.
 *
 * <p>Not thread-safe: the committer's lock guards it.
 */
final class BatchQueue {
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final int maxBatchAlerts;
  private final boolean oneAtATime;

  /** The keys ({@link Pending#keys}) of the batches in flight. */
  private final Set<String> busy = new HashSet<>();

  /**
   * @param maxBatchAlerts alerts a batch takes at most (a larger request goes alone)
   * @param oneAtATime whether the store commits one batch at a time (nothing to keep apart then)
   */
  BatchQueue(int maxBatchAlerts, boolean oneAtATime) {
    this.maxBatchAlerts = maxBatchAlerts;
    this.oneAtATime = oneAtATime;
  }

  void add(Pending p) {
    queue.add(p);
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  int size() {
    return queue.size();
  }

  /**
   * Takes the next batch, in queue order, up to {@code maxBatchAlerts}, and adds the keys it holds
   * to {@code keys}; they stay busy until {@link #free}. Empty when every queued request waits for
   * a key in flight.
   */
  List<Pending> take(Set<String> keys) {
    List<Pending> batch = new ArrayList<>();
    int alerts = 0;
    if (oneAtATime) {
      while (!queue.isEmpty()
          && (batch.isEmpty() || alerts + queue.peek().alerts.size() <= maxBatchAlerts)) {
        Pending p = queue.poll();
        batch.add(p);
        alerts += p.alerts.size();
      }
      return batch;
    }
    Set<String> blocked = new HashSet<>();
    for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (!batch.isEmpty() && alerts + p.alerts.size() > maxBatchAlerts) {
        break;
      }
      List<String> mine = p.keys();
      if (mine.stream().anyMatch(k -> busy.contains(k) || blocked.contains(k))) {
        blocked.addAll(mine);
        continue;
      }
      it.remove();
      batch.add(p);
      keys.addAll(mine);
      alerts += p.alerts.size();
    }
    busy.addAll(keys);
    return batch;
  }

  /** A batch's outcome is handled: requests about its keys may go now. */
  void free(Set<String> keys) {
    busy.removeAll(keys);
  }
}
