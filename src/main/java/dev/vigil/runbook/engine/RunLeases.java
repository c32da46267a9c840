package dev.vigil.runbook.engine;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which unfinished runs this engine works on. Alone on its store, every unfinished run at start.
 * With replicas sharing the store, a run is leased to one replica: the lease is renewed every
 * period, a run whose lease another replica took is dropped here without writing anything, the runs
 * of a replica that died or stopped are taken over, and a run that stalled on a store failure (or
 * whose creation's answer was lost) resumes from its stored state once the store answers.
 */
final class RunLeases {
  private static final Logger LOG = LoggerFactory.getLogger(RunLeases.class);

  private final RunStore store;
  private final Clock clock;
  private final Loop loop;
  private final Map<RunId, LiveRun> live;
  private final Consumer<LiveRun> giveUp;
  private final Consumer<RunRecord> resume;
  private final Admission admission;
  // runs that stalled on a failed write: they resume at the next renewal that finds them held
  private final Set<RunId> stalled = new HashSet<>();
  // runs held in the store but not in memory at the last renewal
  private final Set<RunId> unknown = new HashSet<>();

  /**
   * {@code live} is the engine's runs in memory (read here, on its loop); {@code giveUp} drops one
   * without writing anything; {@code resume} resumes a run read back from the store.
   */
  RunLeases(
      RunStore store,
      Clock clock,
      Loop loop,
      Map<RunId, LiveRun> live,
      Consumer<LiveRun> giveUp,
      Consumer<RunRecord> resume,
      Admission admission) {
    this.store = store;
    this.clock = clock;
    this.loop = loop;
    this.live = live;
    this.giveUp = giveUp;
    this.resume = resume;
    this.admission = admission;
  }

  /**
   * A write of the run failed: the run is dropped here. Refused because another replica holds it,
   * it is that replica's now; else it stalled, and resumes from its last stored state at the next
   * renewal that finds the store answering (and this replica still holding it).
   */
  void writeFailed(LiveRun r, Throwable e) {
    if (r.abandoned) {
      return;
    }
    if (e instanceof RunStore.LeaseLost) {
      LOG.atWarn()
          .addKeyValue("run", r.id.toString())
          .log(e.getMessage() + "; its write was refused and this replica leaves it");
      giveUp.accept(r);
      return;
    }
    LOG.atError()
        .addKeyValue("run", r.id.toString())
        .log(
            "run "
                + r.id
                + " stalled: the store refused a write ("
                + e.getMessage()
                + "); it resumes from its last stored state once the store answers");
    giveUp.accept(r);
    stalled.add(r.id);
  }

  /** At start: claims and resumes the unfinished runs; completes with how many. */
  Future<Integer> resumeAtStart(Instant now) {
    return store
        .claim(now, true)
        .map(
            claimed -> {
              resumeAll(claimed);
              if (!claimed.isEmpty()) {
                LOG.atInfo().log("runbook engine: resumed " + count(claimed.size()));
              }
              return claimed.size();
            });
  }

  /**
   * See {@link Engine#stop}: pauses every run here, then releases this replica's leases so that
   * another replica resumes its runs at once instead of waiting for the leases to run out.
   */
  Future<Void> pauseAll() {
    Promise<Void> paused = Promise.promise();
    loop.run(
        () -> {
          loop.stop();
          live.values().forEach(LiveRun::pause);
          if (!live.isEmpty()) {
            LOG.atInfo().log(
                "runbook engine: paused "
                    + count(live.size())
                    + "; they resume at the next start, or on another replica");
          }
          paused.complete();
        });
    return paused
        .future()
        .compose(v -> store.release())
        .recover(
            e -> {
              LOG.atWarn()
                  .log(
                      "runbook engine: could not release its run leases ("
                          + e.getMessage()
                          + "); other replicas take the runs over when the leases run out");
              return Future.succeededFuture();
            });
  }

  /** See {@link Engine#takeOver}. */
  Future<Integer> takeOver() {
    return store
        .claim(clock.instant(), false)
        .compose(
            claimed -> {
              Promise<Integer> taken = Promise.promise();
              loop.run(
                  () -> {
                    List<RunRecord> fresh =
                        loop.stopping()
                            ? List.of()
                            : claimed.stream().filter(r -> !live.containsKey(r.id())).toList();
                    resumeAll(fresh);
                    if (!fresh.isEmpty()) {
                      LOG.atInfo().log(
                          "runbook engine: took over "
                              + count(fresh.size())
                              + " from a replica that stopped");
                    }
                    taken.complete(fresh.size());
                  });
              return taken.future();
            });
  }

  /** See {@link Engine#renewLeases}. */
  Future<Void> renew() {
    Promise<Set<RunId>> before = Promise.promise();
    loop.run(() -> before.complete(new HashSet<>(live.keySet())));
    return before
        .future()
        .compose(
            wasLive ->
                store
                    .renew(clock.instant())
                    .compose(
                        held -> {
                          Promise<List<RunId>> retry = Promise.promise();
                          loop.run(() -> retry.complete(renewed(wasLive, held)));
                          return retry.future();
                        }))
        .compose(again -> Future.join(again.stream().map(this::resumeStored).toList()).mapEmpty());
  }

  /** After a renewal: drops the runs lost to another replica; the runs to read back and resume. */
  private List<RunId> renewed(Set<RunId> wasLive, Set<RunId> held) {
    for (RunId id : wasLive) {
      LiveRun r = live.get(id);
      // a run finishing now is no longer unfinished in the store, but it is not lost either
      if (r != null && !r.machine.status().finished() && !held.contains(id)) {
        LOG.atWarn()
            .addKeyValue("run", id.toString())
            .log(
                "run "
                    + id
                    + " is held by another replica now (this one could not renew its lease in"
                    + " time); leaving it to that replica");
        giveUp.accept(r);
      }
    }
    List<RunId> again = new ArrayList<>(stalled.stream().filter(held::contains).toList());
    // held in the store, unknown here, at two renewals in a row: a creation that committed but
    // whose answer was lost (the connection dropped at COMMIT). Without this it would be renewed
    // forever and never run. (One renewal is not enough: a creation may have committed and not
    // answered yet.)
    Set<RunId> unknownNow = new HashSet<>(held);
    unknownNow.removeAll(live.keySet());
    unknownNow.removeAll(stalled);
    for (RunId id : unknownNow) {
      if (unknown.contains(id)) {
        LOG.atWarn()
            .addKeyValue("run", id.toString())
            .log(
                "run "
                    + id
                    + " is stored as this replica's but was not running here (its creation's"
                    + " answer was lost): it resumes");
        again.add(id);
      }
    }
    unknown.clear();
    unknownNow.stream().filter(id -> !again.contains(id)).forEach(unknown::add);
    stalled.clear();
    // a slot freed on another replica does not tell this one: queued runs ask again every period
    admission.askAgain();
    return again;
  }

  private Future<?> resumeStored(RunId id) {
    return store
        .get(id)
        .onFailure(e -> loop.run(() -> stalled.add(id)))
        .onSuccess(
            found ->
                loop.run(
                    () ->
                        found
                            .filter(rec -> !rec.status().finished() && !live.containsKey(rec.id()))
                            .ifPresent(
                                rec -> {
                                  LOG.atInfo()
                                      .addKeyValue("run", id.toString())
                                      .log("run " + id + " resumes from its stored state");
                                  resume.accept(rec);
                                })));
  }

  /** Runs that hold a concurrency slot first, so queued ones see the slots taken. */
  private void resumeAll(List<RunRecord> recs) {
    recs.stream().filter(r -> r.status() != RunStatus.PENDING).forEach(resume);
    recs.stream().filter(r -> r.status() == RunStatus.PENDING).forEach(resume);
  }

  private static String count(int n) {
    return n + " unfinished run" + (n == 1 ? "" : "s");
  }
}
