package dev.vigil.ingest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outcomes of numbered batches (what a committed batch must do: remember its results, answer
 * its requests), handled in the order the batches were numbered, whatever order they arrive in: an
 * outcome waits until every one numbered before it is handled (unless made unordered, for batches
 * that share nothing, when each is handled as it comes). Each step runs alone: one that throws is
 * logged and holds up neither the steps after it nor later outcomes. One thread only (the
 * committer's context).
 */
final class InOrderOutcomes {
  // the committer's log: these lines are about its batches
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  /**
   * Whether outcomes wait for their turn (one batch at a time); if not, each is handled at once.
   */
  private final boolean ordered;

  /** Outcomes handled so far; the next to handle is numbered this. */
  private long handled;

  private final Map<Long, List<Runnable>> waiting = new HashMap<>();

  /**
   * @param ordered whether to wait for each outcome's turn: with one batch at a time. Batches in
   *     flight together share no key, and one about a key of another starts only once that one's
   *     outcome is handled ({@link BatchQueue}): then there is nothing to order and nothing to wait
   *     for.
   */
  InOrderOutcomes(boolean ordered) {
    this.ordered = ordered;
  }

  /** Handles outcome {@code number} now if its turn has come, and every waiting one after it. */
  void handle(long number, List<Runnable> steps) {
    if (!ordered) {
      run(steps);
      return;
    }
    waiting.put(number, steps);
    for (List<Runnable> next; (next = waiting.remove(handled)) != null; ) {
      handled++; // first: one outcome that throws must not hold up every later one
      run(next);
    }
  }

  /** Runs {@code steps} now, each alone. */
  static void run(List<Runnable> steps) {
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException | Error e) {
        // an Error too (a stack overflow in one request's answer, say): the steps after it answer
        // other requests, which would otherwise wait until their clients time out
        log.atError().setCause(e).log("ingest: handling a committed batch failed");
      }
    }
  }
}
