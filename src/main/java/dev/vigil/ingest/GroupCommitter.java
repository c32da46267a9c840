package dev.vigil.ingest;

import dev.vigil.config.Durations;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.Triage;
import dev.vigil.ports.StoreException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of incoming alerts. Requests queue here and are committed in batches, one
 * transaction per batch; each request's future completes only after its batch is committed, so a
 * 2xx always means "stored".
 *
 * <p>Batching is natural: while one commit runs, new requests wait, and the next commit takes all
 * of them (up to {@code maxBatchAlerts}). Under light load a request commits alone at once; under
 * heavy load batches grow and throughput follows. When more than {@code queueLimit} alerts wait,
 * {@link #submit} fails at once with {@link Overloaded}.
 *
 * <p>If a commit fails, each of its requests is retried once alone, so that one request the store
 * rejects cannot fail the others, and a race lost to another replica resolves itself. Callers may
 * submit from any thread.
 *
 * <p><b>The next batch starts on whichever thread frees the way.</b> The queue and the batches in
 * flight are guarded by a lock, and a batch is taken and handed to the store by the thread that
 * made room for it: the caller's, when the store is idle, or the store's own thread the moment the
 * last batch is committed (on SQLite, the writer thread, once the commit is handed to the log's
 * sync). Handing that moment to the committer's event loop first cost two thread wake-ups per
 * batch, in which the one writer waited: about a sixth of its time at 10 alerts per request (ADR
 * 0150). Answers, the metrics and the memory of repeats stay on the committer's own context. Two
 * batches' answers can reach it out of order (each by the event loop of the thread that started its
 * batch), and a repeat must never be answered from an older state than the store's: with one batch
 * at a time, outcomes are handled in the order the batches started; with several, a batch about a
 * group or alert of another starts only once that one's outcome is handled.
 *
 * <p><b>Repeats cost no store access.</b> Alertmanager re-sends a whole group at every change, so
 * in a storm most alerts are ones already stored, unchanged. The committer remembers each alert
 * occurrence it committed (fingerprint and startsAt, with its status and incident); an alert that
 * matches what it remembers is answered from memory, at once, and never queues (it does not count
 * against {@code queueLimit}). The memory is bounded and forgets each entry after a while ({@link
 * Repeats}).
 */
public final class GroupCommitter {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  /**
   * How long a batch may take in the store before its requests are answered with a store error (ADR
   * 0154): far beyond any healthy commit, and beyond the time any sender waits for an answer.
   */
  static final Duration STALL_AFTER = Duration.ofSeconds(30);

  private final Context context;
  private final IncidentStore store;
  private final Triage triage;
  private final Clock clock;
  private final int queueLimit;
  private final Repeats repeats;
  private final StallWatch<List<Pending>> stalls;

  private final BatchQueue queue;
  private final AtomicInteger waitingAlerts = new AtomicInteger();
  private final DistributionSummary batchSize;
  private final Timer commitTime;

  /** Guards the queue, inFlight, unanswered, drained and begun. */
  private final Object lock = new Object();

  /** Batches started so far; each batch's number is its place in that order. */
  private long begun;

  /**
   * Batches' outcomes (remember their results, answer their requests); with one batch at a time,
   * each once every batch started before it is handled. Two batches' answers can reach this context
   * out of order: an older result remembered last would say an alert is still firing when the store
   * says it is resolved, and an answer sent before its batch is remembered would let a re-send be
   * taken for a repeat of the older state.
   */
  private final InOrderOutcomes inOrder;

  /**
   * Batches committing now, at most {@link #maxInFlight} (the keys each holds are in the {@link
   * BatchQueue}). A batch stops counting once it is committed, which on SQLite is usually before it
   * is answered: the next batch then runs while the last one's log is synced (ADR 0146).
   */
  private int inFlight;

  /** Batches not answered yet ({@link #drain} waits for them). */
  private int unanswered;

  private final int maxInFlight;
  private volatile boolean closed;
  private Promise<Void> drained;

  /**
   * @param maxInFlight batches committed at once: 1 where the store has one writer anyway (SQLite);
   *     more where commits wait on round trips (PostgreSQL). Batches in flight together never share
   *     a group or an alert, and requests that share one keep their order.
   */
  public GroupCommitter(
      Vertx vertx,
      IncidentStore store,
      Triage triage,
      Clock clock,
      int queueLimit,
      int maxBatchAlerts,
      int maxInFlight,
      MeterRegistry metrics) {
    this(
        vertx,
        store,
        triage,
        clock,
        queueLimit,
        maxBatchAlerts,
        maxInFlight,
        STALL_AFTER,
        System::nanoTime,
        metrics);
  }

  /**
   * @param stallAfter how long a batch may take in the store before its requests are answered with
   *     a store error ({@link #STALL_AFTER})
   * @param nanoTime the monotonic clock that times batches ({@code System::nanoTime}; tests move
   *     their own)
   */
  GroupCommitter(
      Vertx vertx,
      IncidentStore store,
      Triage triage,
      Clock clock,
      int queueLimit,
      int maxBatchAlerts,
      int maxInFlight,
      Duration stallAfter,
      LongSupplier nanoTime,
      MeterRegistry metrics) {
    this.maxInFlight = maxInFlight;
    this.context = vertx.getOrCreateContext();
    this.store = store;
    this.triage = triage;
    this.clock = clock;
    this.queueLimit = queueLimit;
    this.queue = new BatchQueue(maxBatchAlerts, maxInFlight == 1);
    this.inOrder = new InOrderOutcomes(maxInFlight == 1);
    this.repeats = new Repeats(metrics);
    this.batchSize =
        DistributionSummary.builder("vigil_commit_batch_alerts")
            .description("Alerts committed per transaction")
            .publishPercentileHistogram()
            .register(metrics);
    this.commitTime =
        Timer.builder("vigil_commit_duration")
            .description("Time to commit one batch of alerts")
            .publishPercentileHistogram()
            .register(metrics);
    metrics.gauge("vigil_ingest_queue_alerts", waitingAlerts);
    this.stalls = new StallWatch<>(vertx, context, stallAfter, nanoTime, metrics, this::stalled);
  }

  /**
   * Queues one request's alerts. The future completes, on the caller's context, with the incidents
   * the alerts belong to once they are committed; it fails with {@link Overloaded} when the queue
   * is full or the committer is closing, and with {@link StoreException} when the commit failed.
   * Alerts remembered as stored with the same status are not queued; a request made only of them
   * completes at once.
   */
  public Future<List<IncidentId>> submit(List<AlertIntake> alerts) {
    Repeats.Split split = repeats.split(alerts);
    if (split.fresh().isEmpty() && !alerts.isEmpty()) {
      return Future.succeededFuture(split.answer(List.of()));
    }
    return queue(split.fresh()).map(split::answer);
  }

  private Future<List<IncidentId>> queue(List<AlertIntake> alerts) {
    Context caller = Vertx.currentContext();
    if (closed) {
      return Future.failedFuture(new Overloaded("shutting down"));
    }
    int size = Pending.counted(alerts);
    if (waitingAlerts.addAndGet(size) > queueLimit && waitingAlerts.get() > size) {
      waitingAlerts.addAndGet(-size);
      return Future.failedFuture(
          new Overloaded("commit queue is full (" + queueLimit + " alerts waiting)"));
    }
    // the store's own work on these alerts alone, here, on the caller's thread (ADR 0150)
    List<AlertIntake> ready;
    try {
      ready = store.prepare(alerts);
    } catch (RuntimeException | Error e) { // an Error too: the alerts counted must not stay counted
      waitingAlerts.addAndGet(-size);
      return Future.failedFuture(e);
    }
    Promise<List<IncidentId>> promise = Promise.promise();
    synchronized (lock) {
      if (closed) { // drain has begun meanwhile: it may have found the queue empty already
        waitingAlerts.addAndGet(-size);
        return Future.failedFuture(new Overloaded("shutting down"));
      }
      queue.add(new Pending(ready, promise, caller));
    }
    commitNext();
    return promise.future();
  }

  /** Stops taking requests and completes when everything queued has been committed or failed. */
  public Future<Void> drain() {
    Promise<Void> p = Promise.promise();
    boolean done;
    synchronized (lock) {
      closed = true;
      done = unanswered == 0 && queue.isEmpty();
      if (!done) {
        drained = p;
      }
    }
    if (done) {
      p.complete();
    }
    // once drained nothing is answered any more: what a stalled batch still holds ends with the
    // store's close
    return p.future().andThen(ar -> stalls.stop());
  }

  /**
   * Starts batches while fewer than {@code maxInFlight} commit and some queued request is free to
   * go; on the calling thread, whichever it is.
   */
  private void commitNext() {
    while (true) {
      Set<String> keys = new HashSet<>();
      List<Pending> batch = List.of();
      long number = 0;
      Promise<Void> done = null;
      synchronized (lock) {
        if (inFlight < maxInFlight && !queue.isEmpty()) {
          batch = queue.take(keys); // empty when every queued request waits for a key in flight
        }
        if (!batch.isEmpty()) {
          inFlight++;
          unanswered++;
          number = begun++;
        } else if (unanswered == 0 && queue.isEmpty() && drained != null) {
          done = drained;
          drained = null;
        }
      }
      if (batch.isEmpty()) {
        if (done != null) {
          // on the committer's context, not on the store's thread: whoever waits goes on to close
          // the store
          Promise<Void> d = done;
          context.runOnContext(v -> d.complete());
        }
        return;
      }
      start(batch, keys, number);
    }
  }

  /**
   * Hands {@code batch} to the store. The way is free for the next batch once it is committed (the
   * store says so on its own thread) or, at the latest, once it is answered. A batch the store has
   * not answered in time is answered as stalled ({@link StallWatch}, {@link #stalled}).
   */
  private void start(List<Pending> batch, Set<String> keys, long number) {
    int total = Pending.alertsIn(batch);
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            synchronized (lock) {
              inFlight--;
            }
            commitNext();
          }
        };
    Runnable settle =
        () -> {
          synchronized (lock) {
            // a later batch about the same group or alert starts only now, after this one's
            // outcome is remembered
            queue.free(keys);
            unanswered--;
          }
          release.run(); // a failed commit, or a store that told nothing before
          commitNext();
        };
    StallWatch.Watch<List<Pending>> watch = stalls.track(batch, number, settle);
    List<Runnable> outcome = new ArrayList<>(1);
    commit(batch, true, release, outcome, watch)
        .onComplete(
            ar -> {
              stalls.ended(watch);
              if (watch.done) {
                finishedLate(watch, ar.cause());
                return;
              }
              watch.done = true;
              try {
                commitTime.record(stalls.now() - watch.started, TimeUnit.NANOSECONDS);
                batchSize.record(total);
                inOrder.handle(number, outcome);
              } finally {
                settle.run();
              }
            });
  }

  /** Runs the stall check on the committer's context now (tests, after moving the clock). */
  Future<Void> checkStallsNow() {
    return stalls.checkNow();
  }

  /**
   * The store has had batch {@code w} for the stall bound (a disk or a connection that no longer
   * answers, or a bug that lost its future): each of its requests not answered yet is answered with
   * a store error, so that its sender retries (what was stored meanwhile is then a repeat), and the
   * batches after it, whose answers wait for its turn, go on (ADR 0154). Its alerts count against
   * the queue limit until the store answers it, so that a store that answers nothing fills the
   * queue rather than memory. Its occurrences are forgotten, since its outcome is unknown; what the
   * store finishes later is not remembered either.
   */
  private void stalled(StallWatch.Watch<List<Pending>> w) {
    waitingAlerts.addAndGet(Pending.countedIn(w.batch));
    StoreException cause =
        new StoreException(
            "store: a commit of "
                + Pending.alertsIn(w.batch)
                + " alert(s) has not finished in "
                + Durations.format(stalls.after())
                + "; whether they are stored is not known, so retry",
            null);
    log.atError()
        .addKeyValue("alerts", Pending.alertsIn(w.batch))
        .log(
            "ingest: "
                + cause.getMessage()
                + ". The store may be stalled (a disk or a connection that no longer answers);"
                + " the batches after it go on");
    // each step alone, as a committed batch's are: one that throws leaves none of the others undone
    List<Runnable> steps = new ArrayList<>();
    steps.add(() -> forget(w.batch));
    for (Pending p : w.batch) {
      steps.add(() -> finish(p, null, cause));
    }
    steps.add(() -> inOrder.handle(w.number, List.of()));
    steps.add(w.settle);
    InOrderOutcomes.run(steps);
  }

  /**
   * A batch answered as stalled that the store has answered now: {@code failure} null if stored.
   */
  private void finishedLate(StallWatch.Watch<List<Pending>> w, Throwable failure) {
    waitingAlerts.addAndGet(-Pending.countedIn(w.batch));
    // on PostgreSQL a later batch about the same alerts may have committed before it: what that
    // one remembered may be older than the store now
    forget(w.batch);
    log.atWarn()
        .addKeyValue("alerts", Pending.alertsIn(w.batch))
        .setCause(failure)
        .log(
            "ingest: a batch answered as stalled has ended in the store ("
                + (failure == null ? "stored" : "failed")
                + ") after "
                + (stalls.now() - w.started) / 1_000_000
                + " ms; its senders were told to retry");
  }

  /**
   * Forgets the occurrences of {@code batch}: whatever their senders send next goes to the store.
   */
  private void forget(List<Pending> batch) {
    for (Pending p : batch) {
      repeats.forget(p.alerts);
    }
  }

  /**
   * Commits {@code batch}; {@code committed} runs on the store's thread once it is committed
   * (usually before it is answered). What a success must do (remember, answer) is added to {@code
   * outcome}, for {@link #inOrder}; failures are answered at once.
   */
  private Future<Void> commit(
      List<Pending> batch,
      boolean retry,
      Runnable committed,
      List<Runnable> outcome,
      StallWatch.Watch<List<Pending>> watch) {
    List<List<AlertIntake>> requests = batch.stream().map(Pending::alerts).toList();
    AtomicBoolean signalled = new AtomicBoolean();
    Future<IngestResult> stored;
    try {
      stored =
          store.ingest(
              requests,
              triage,
              clock.instant(),
              () -> {
                signalled.set(true);
                committed.run();
              });
    } catch (RuntimeException | Error e) {
      // a batch counts as in flight until its future completes: a throw must complete it too, an
      // Error as well (a stack overflow, say), or no batch would start after it
      stored = Future.failedFuture(e);
    }
    return onThisContext(stored)
        .transform(
            ar -> {
              if (watch.done) { // answered as stalled: nothing more to tell, only to log
                return ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause());
              }
              if (ar.succeeded()) {
                IngestResult result = ar.result();
                // remembered before the answers, since a re-send may follow one at once; each its
                // own step, so that one that fails cannot leave the others undone
                outcome.add(() -> repeats.remember(result));
                for (int i = 0; i < batch.size(); i++) {
                  Pending p = batch.get(i);
                  int request = i;
                  outcome.add(() -> finish(p, result, request));
                }
                return Future.succeededFuture();
              }
              // a batch committed but not answered (its log could not be synced) is not retried:
              // the next batch has started, and a retry could overtake it. (The failure can come
              // before the writer has run the signal; a retry then fails at once all the same, as
              // a store whose sync failed takes nothing more: ADR 0146.)
              if (retry && !signalled.get()) {
                // Each request once more, alone: one request the store rejects cannot fail its
                // neighbours,
                // and a transaction that lost a race with another replica (a unique index) sees the
                // winner's rows the second time.
                log.atWarn()
                    .addKeyValue("requests", batch.size())
                    .log(
                        "ingest: commit of "
                            + batch.size()
                            + " request(s) failed ("
                            + ar.cause().getMessage()
                            + "); retrying each alone");
                Future<Void> chain = Future.succeededFuture();
                for (Pending p : batch) {
                  chain =
                      chain.compose(
                          v ->
                              watch.done // answered as stalled meanwhile: its senders retry
                                  ? Future.succeededFuture()
                                  : commit(List.of(p), false, () -> {}, outcome, watch));
                }
                return chain;
              }
              Throwable cause =
                  ar.cause() instanceof StoreException
                      ? ar.cause()
                      : StoreException.commitFailed(ar.cause());
              log.atError()
                  .addKeyValue("alerts", Pending.alertsIn(batch))
                  .setCause(ar.cause())
                  .log("ingest: commit failed");
              // every request of the batch: several when it committed but its log was not synced
              for (Pending p : batch) {
                finish(p, null, cause);
              }
              return Future.succeededFuture();
            });
  }

  /**
   * {@code f}, completing on the committer's context whichever thread completes it: answers, the
   * metrics and the memory of repeats (one thread puts) are handled there.
   */
  private <T> Future<T> onThisContext(Future<T> f) {
    Promise<T> here = Promise.promise();
    f.onComplete(
        ar -> {
          if (Vertx.currentContext() == context) {
            here.handle(ar);
          } else {
            context.runOnContext(v -> here.handle(ar));
          }
        });
    return here.future();
  }

  /** Requests queued and not yet in a batch (tests). */
  int queuedRequests() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /**
   * Answers request {@code request} of a committed batch with its incidents; a result without them
   * (a store's bug) fails it instead of leaving it unanswered and counted as waiting for good.
   */
  private void finish(Pending p, IngestResult result, int request) {
    List<IncidentId> ids;
    try {
      ids = result.incidentsPerRequest().get(request);
    } catch (RuntimeException e) {
      finish(p, null, new StoreException("store: the commit named no incidents for a request", e));
      return;
    }
    finish(p, ids, null);
  }

  /** Answers {@code p}, once: a request answered already (as stalled, say) is left alone. */
  private void finish(Pending p, List<IncidentId> ids, Throwable failure) {
    if (p.claim()) {
      waitingAlerts.addAndGet(-p.counted()); // first: the sender may submit again as it hears
      p.complete(ids, failure, context);
    }
  }
}
