package dev.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.classify.LabelTriage;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.Triage;
import dev.vigil.incident.UnusedIncidentStore;
import dev.vigil.ports.StoreException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The committer without a database: what reaches the store, when, and what is answered from memory.
 */
class GroupCommitterTest {
  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  final Vertx vertx = Vertx.vertx();
  final HeldStore store = new HeldStore();
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    vertx.close();
  }

  /**
   * Each ingest waits until the test completes it; it then says every alert is stored in INC-n (n =
   * its group's number).
   */
  static class HeldStore extends UnusedIncidentStore {
    final List<List<List<AlertIntake>>> calls = Collections.synchronizedList(new ArrayList<>());
    final List<Promise<IngestResult>> held = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Future<IngestResult> ingest(
        List<List<AlertIntake>> requests, Triage triage, Instant now) {
      calls.add(requests);
      Promise<IngestResult> p = Promise.promise();
      held.add(p);
      return p.future();
    }

    /** Completes the {@code i}th ingest as stored. */
    void commit(int i) {
      List<List<AlertIntake>> requests = calls.get(i);
      List<List<IncidentId>> ids = new ArrayList<>();
      List<IngestResult.StoredState> stored = new ArrayList<>();
      for (List<AlertIntake> r : requests) {
        List<IncidentId> mine = new ArrayList<>();
        for (AlertIntake a : r) {
          IncidentId id = new IncidentId(Long.parseLong(a.groupKey().substring(1)));
          if (!mine.contains(id)) {
            mine.add(id);
          }
          stored.add(
              new IngestResult.StoredState(
                  a.alert().fingerprint(),
                  a.alert().startsAt().toString(),
                  a.alert().status(),
                  id));
        }
        ids.add(mine);
      }
      held.get(i).complete(new IngestResult(ids, List.of(), stored));
    }
  }

  /** One alert of group {@code g<group>} named {@code name}. */
  static List<AlertIntake> request(int group, String name, AlertStatus status) {
    Map<String, String> labels = Map.of("alertname", name);
    Alert a = new Alert(Fingerprint.of(labels), labels, Map.of(), status, T0, null, "");
    return List.of(new AlertIntake(a, "g" + group, labels, false));
  }

  /** A {@link HeldStore} that also says when a batch is committed, before it is answered. */
  static final class SignallingStore extends HeldStore {
    final List<Runnable> committed = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Future<IngestResult> ingest(
        List<List<AlertIntake>> requests, Triage triage, Instant now, Runnable committed) {
      this.committed.add(committed);
      return ingest(requests, triage, now);
    }
  }

  GroupCommitter committer(int queueLimit, int maxInFlight) {
    return committer(store, queueLimit, maxInFlight);
  }

  /** The committers' monotonic clock, in nanoseconds: moved by the tests that watch for stalls. */
  final AtomicLong nanos = new AtomicLong();

  GroupCommitter committer(HeldStore store, int queueLimit, int maxInFlight) {
    return new GroupCommitter(
        vertx,
        store,
        new LabelTriage(),
        Clock.fixed(T0, ZoneOffset.UTC),
        queueLimit,
        1000,
        maxInFlight,
        GroupCommitter.STALL_AFTER,
        nanos::get,
        metrics);
  }

  /** Moves the committers' clock past the stall bound and has {@code c} look for stalls. */
  void stallBoundPassed(GroupCommitter c) {
    nanos.addAndGet(GroupCommitter.STALL_AFTER.toNanos());
    Future<Void> checked = c.checkStallsNow();
    await().atMost(Duration.ofSeconds(5)).until(checked::succeeded);
  }

  double queued() {
    return metrics.get("vigil_ingest_queue_alerts").gauge().value();
  }

  Future<List<IncidentId>> submit(GroupCommitter c, List<AlertIntake> request) {
    Promise<List<IncidentId>> p = Promise.promise();
    vertx.runOnContext(v -> c.submit(request).onComplete(p));
    return p.future();
  }

  static List<String> groups(List<List<AlertIntake>> call) {
    return call.stream().map(r -> r.get(0).groupKey()).toList();
  }

  /** A committer on a {@link SignallingStore}, and the answers of the requests a test set up. */
  record FiringThenResolved(
      SignallingStore store,
      GroupCommitter committer,
      Future<List<IncidentId>> firing,
      Future<List<IncidentId>> resolved) {}

  /**
   * Group 1's alert firing handed to the store, and the same alert resolved queued behind it, with
   * up to {@code maxInFlight} batches at once.
   */
  FiringThenResolved firingCommittingResolvedQueued(int maxInFlight) {
    SignallingStore signalling = new SignallingStore();
    GroupCommitter c = committer(signalling, 1000, maxInFlight);
    Future<List<IncidentId>> firing = submit(c, request(1, "A", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 1);
    Future<List<IncidentId>> resolved = submit(c, request(1, "A", AlertStatus.RESOLVED));
    await().atMost(Duration.ofSeconds(5)).until(() -> c.queuedRequests() == 1);
    return new FiringThenResolved(signalling, c, firing, resolved);
  }

  /** The answers of groups 1, 2 and 3's requests, and the store they went to. */
  record SecondBatch(
      SignallingStore store,
      Future<List<IncidentId>> a,
      Future<List<IncidentId>> b,
      Future<List<IncidentId>> b2) {}

  /**
   * With one batch at a time: one request (group 1) committed but not answered, and the two that
   * waited behind it (groups 2 and 3) handed to the store together as the second batch.
   */
  SecondBatch secondBatchStartedAtTheFirstsCommit() {
    SignallingStore signalling = new SignallingStore();
    GroupCommitter c = committer(signalling, 1000, 1);
    Future<List<IncidentId>> a = submit(c, request(1, "A", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 1);
    Future<List<IncidentId>> b = submit(c, request(2, "B", AlertStatus.FIRING));
    Future<List<IncidentId>> b2 = submit(c, request(3, "C", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> c.queuedRequests() == 2);
    assertThat(signalling.calls).hasSize(1);
    signalling.committed.get(0).run();
    await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 2);
    return new SecondBatch(signalling, a, b, b2);
  }

  @Test
  void anUnchangedRepeatIsAnsweredFromMemoryAndAChangeGoesToTheStore() {
    GroupCommitter c = committer(1, 1);
    Future<List<IncidentId>> first = submit(c, request(7, "Disk", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 1);
    store.commit(0);
    await().atMost(Duration.ofSeconds(5)).until(first::succeeded);
    assertThat(first.result()).containsExactly(new IncidentId(7));

    // the same occurrence again: no store call, answered with its incident
    Future<List<IncidentId>> repeat = submit(c, request(7, "Disk", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(repeat::isComplete);
    assertThat(repeat.result()).containsExactly(new IncidentId(7));
    assertThat(store.calls).hasSize(1);

    // a new alert fills the queue (limit 1); repeats still pass, not counted as waiting work
    Future<List<IncidentId>> fresh = submit(c, request(8, "Cpu", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 2);
    Future<List<IncidentId>> full = submit(c, request(9, "Mem", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(full::isComplete);
    assertThat(full.cause()).isInstanceOf(Overloaded.class);
    Future<List<IncidentId>> repeatWhileFull = submit(c, request(7, "Disk", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(repeatWhileFull::isComplete);
    assertThat(repeatWhileFull.succeeded()).isTrue();

    // the status changed: to the store
    store.commit(1);
    await().atMost(Duration.ofSeconds(5)).until(fresh::succeeded);
    submit(c, request(7, "Disk", AlertStatus.RESOLVED));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 3);
    assertThat(store.calls.get(2).get(0).get(0).alert().status()).isEqualTo(AlertStatus.RESOLVED);
  }

  @Test
  void batchesInFlightTogetherShareNoGroupAndRequestsAboutOneGroupKeepTheirOrder() {
    GroupCommitter c = committer(1000, 4);
    Future<List<IncidentId>> a = submit(c, request(1, "A", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 1);
    // while g1 commits: g2 goes at once, the second g1 request and the g3 one behind... only g1's
    // waits
    Future<List<IncidentId>> a2 = submit(c, request(1, "A", AlertStatus.RESOLVED));
    Future<List<IncidentId>> b = submit(c, request(2, "B", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 2);
    assertThat(groups(store.calls.get(1))).containsExactly("g2");
    store.commit(1);
    await().atMost(Duration.ofSeconds(5)).until(b::succeeded);
    assertThat(a2.isComplete()).isFalse();
    assertThat(store.calls).hasSize(2); // g1's second request waits for its first

    store.commit(0);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 3);
    assertThat(groups(store.calls.get(2))).containsExactly("g1");
    assertThat(store.calls.get(2).get(0).get(0).alert().status()).isEqualTo(AlertStatus.RESOLVED);
    store.commit(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.succeeded() && a2.succeeded());
  }

  @Test
  void withOneBatchAtATimeTheNextStartsOnceTheLastIsCommittedNotOnceItIsAnswered() {
    // SQLite: the store says "committed" before its log is synced and the batch answered (ADR 0146)
    SecondBatch s = secondBatchStartedAtTheFirstsCommit();
    SignallingStore signalling = s.store();
    // both requests that waited go together, while the first batch is still unanswered
    assertThat(groups(signalling.calls.get(1))).containsExactly("g2", "g3");
    assertThat(s.a().isComplete()).isFalse();

    signalling.commit(0);
    signalling.commit(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> s.a().succeeded() && s.b().succeeded());
    assertThat(s.b2().result()).containsExactly(new IncidentId(3));
    assertThat(signalling.calls).hasSize(2);
  }

  @Test
  void eachRequestIsPreparedOnTheThreadThatSubmittedItAndTheStoreGetsWhatItPrepared() {
    // the store's per-request work runs where the request arrived, not on the committer's context,
    // which stands between one commit and the next (ADR 0150)
    List<String> preparedOn = Collections.synchronizedList(new ArrayList<>());
    HeldStore preparing =
        new HeldStore() {
          @Override
          public List<AlertIntake> prepare(List<AlertIntake> request) {
            preparedOn.add(Thread.currentThread().getName());
            return List.copyOf(request); // another list, as a store's prepared one is
          }
        };
    GroupCommitter c = committer(preparing, 1000, 1);
    List<AlertIntake> request = request(1, "A", AlertStatus.FIRING);
    c.submit(request); // from this thread, which is none of the committer's event loops
    await().atMost(Duration.ofSeconds(5)).until(() -> preparing.calls.size() == 1);
    assertThat(preparedOn).containsExactly(Thread.currentThread().getName());
    assertThat(preparing.calls.get(0)).hasSize(1);
    assertThat(preparing.calls.get(0).get(0)).isNotSameAs(request).isEqualTo(request);
  }

  @Test
  void resultsAreRememberedInTheOrderTheirBatchesStartedWhateverOrderTheyAreAnsweredIn() {
    // each answer comes by the event loop of the thread that started its batch, so a later batch's
    // answer can come first (ADR 0150): the memory must still end with the later batch's state
    FiringThenResolved s = firingCommittingResolvedQueued(1);
    SignallingStore signalling = s.store();
    GroupCommitter c = s.committer();
    signalling.committed.get(0).run();
    await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 2);
    signalling.commit(1);
    // its answer waits for the batch before it: answered now, a re-send of the alert firing would
    // meet the memory still saying "firing"
    Future<List<IncidentId>> early = submit(c, request(2, "B", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 3);
    assertThat(s.resolved().isComplete()).isFalse();
    signalling.commit(0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> s.firing().succeeded() && s.resolved().succeeded());
    signalling.commit(2);
    await().atMost(Duration.ofSeconds(5)).until(early::succeeded);

    // stored: resolved. The same again is a repeat; firing again is a change, for the store
    Future<List<IncidentId>> repeat = submit(c, request(1, "A", AlertStatus.RESOLVED));
    await().atMost(Duration.ofSeconds(5)).until(repeat::succeeded);
    assertThat(signalling.calls).hasSize(3);
    submit(c, request(1, "A", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 4);
  }

  @Test
  void aBatchTheStoreNeverAnswersIsAnsweredAsStalledAndTheAnswersWaitingBehindItGoOut() {
    SignallingStore signalling = new SignallingStore();
    GroupCommitter c = committer(signalling, 1000, 1);
    try (LogCapture logs = new LogCapture(Level.WARN)) {
      // stored firing, and remembered so
      Future<List<IncidentId>> firing = submit(c, request(1, "A", AlertStatus.FIRING));
      await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 1);
      signalling.commit(0);
      await().atMost(Duration.ofSeconds(5)).until(firing::succeeded);

      // SQLite's way: the batch resolving it is committed (the next may start) but its answer
      // never comes, a future lost; the batch behind it is answered, and its answer waits for the
      // lost one's turn
      Future<List<IncidentId>> lost = submit(c, request(1, "A", AlertStatus.RESOLVED));
      await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 2);
      Future<List<IncidentId>> behind = submit(c, request(2, "B", AlertStatus.FIRING));
      await().atMost(Duration.ofSeconds(5)).until(() -> c.queuedRequests() == 1);
      signalling.committed.get(1).run();
      await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 3);
      signalling.commit(2);
      Future<Void> checked = c.checkStallsNow(); // the clock has not moved: no stall yet
      await().atMost(Duration.ofSeconds(5)).until(checked::succeeded);
      assertThat(lost.isComplete()).isFalse();
      assertThat(behind.isComplete()).isFalse();

      stallBoundPassed(c);
      await().atMost(Duration.ofSeconds(5)).until(() -> lost.isComplete() && behind.isComplete());
      assertThat(lost.cause())
          .isInstanceOf(StoreException.class)
          .hasMessage(
              "store: a commit of 1 alert(s) has not finished in 30s; whether they are stored is"
                  + " not known, so retry");
      assertThat(behind.result()).containsExactly(new IncidentId(2));
      assertThat(metrics.get("vigil_commit_stalls_total").counter().count()).isEqualTo(1);
      assertThat(logs.errors()).anyMatch(l -> l.contains("The store may be stalled"));
      // its alert counts against the queue limit while the store has it
      assertThat(queued()).isEqualTo(1);

      // its state is unknown, so the memory no longer says "firing": the sender's re-send goes to
      // the store
      Future<List<IncidentId>> resent = submit(c, request(1, "A", AlertStatus.FIRING));
      await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 4);
      signalling.commit(3);
      await().atMost(Duration.ofSeconds(5)).until(resent::succeeded);

      // the store finishes it at last (on PostgreSQL it can commit after the batch that came
      // later): nothing is answered twice, and the memory forgets the alert again, so the next
      // re-send goes to the store too
      signalling.commit(1);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> logs.text().contains("has ended in the store (stored)"));
      assertThat(queued()).isZero();
      assertThat(logs.text())
          .contains("a batch answered as stalled has ended in the store (stored) after");
      Future<List<IncidentId>> again = submit(c, request(1, "A", AlertStatus.FIRING));
      await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 5);
      signalling.commit(4);
      await().atMost(Duration.ofSeconds(5)).until(again::succeeded);
      assertThat(logs.bugs()).isEmpty();
      // every batch counts as answered once: a stop does not wait for one for good
      Future<Void> drained = c.drain();
      await().atMost(Duration.ofSeconds(5)).until(drained::succeeded);
    }
    assertThat(metrics.get("vigil_commit_stalls_total").counter().count()).isEqualTo(1);
  }

  @Test
  void aStallInTheMiddleOfRetriesAnswersOnlyTheRequestsNotAnsweredAndRetriesNoMore() {
    GroupCommitter c = committer(store, 1000, 1);
    try (LogCapture logs = new LogCapture(Level.WARN)) {
      Future<List<IncidentId>> first = submit(c, request(1, "A", AlertStatus.FIRING));
      await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 1);
      List<Future<List<IncidentId>>> three = new ArrayList<>();
      for (int g = 2; g <= 4; g++) {
        three.add(submit(c, request(g, "G" + g, AlertStatus.FIRING)));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> c.queuedRequests() == 3);
      store.commit(0);
      await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 2);
      assertThat(store.calls.get(1)).hasSize(3); // the three together

      // the batch fails; its requests are retried alone: the first fails again, the second hangs
      store.held.get(1).fail(new IllegalStateException("busy"));
      await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 3);
      store.held.get(2).fail(new StoreException("store: disk I/O error", null));
      await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 4);
      await().atMost(Duration.ofSeconds(5)).until(three.get(0)::isComplete);
      assertThat(three.get(0).cause()).hasMessage("store: disk I/O error");

      stallBoundPassed(c);
      await().atMost(Duration.ofSeconds(5)).until(() -> three.get(2).isComplete());
      assertThat(three.get(1).cause()).hasMessageContaining("has not finished in 30s");
      assertThat(three.get(2).cause()).hasMessageContaining("has not finished in 30s");
      assertThat(three.get(0).cause()).hasMessage("store: disk I/O error"); // answered once
      assertThat(queued()).isEqualTo(3); // the batch's, until the store answers

      // the hanging retry ends: the third request, answered already, is not sent
      store.commit(3);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  logs.text()
                      .contains("a batch answered as stalled has ended in the store (stored)"));
      assertThat(store.calls).hasSize(4);
      assertThat(queued()).isZero();
      assertThat(logs.bugs()).isEmpty();
      assertThat(first.succeeded()).isTrue();
    }
  }

  @Test
  void aBatchThatFailsAfterItWasAnsweredAsStalledIsNotRetried() {
    GroupCommitter c = committer(store, 1000, 1);
    try (LogCapture logs = new LogCapture(Level.WARN)) {
      Future<List<IncidentId>> stalled = submit(c, request(1, "A", AlertStatus.FIRING));
      await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 1);
      stallBoundPassed(c);
      await().atMost(Duration.ofSeconds(5)).until(stalled::isComplete);
      assertThat(stalled.cause()).hasMessageContaining("has not finished in 30s");
      store.held.get(0).fail(new IllegalStateException("busy"));
      // the failure reaches the committer's context before the next batch's answer does: a retry
      // would be a store call made before that answer
      Future<List<IncidentId>> next = submit(c, request(2, "B", AlertStatus.FIRING));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> store.calls.stream().anyMatch(call -> groups(call).contains("g2")));
      store.commit(store.calls.size() - 1);
      await().atMost(Duration.ofSeconds(5)).until(next::succeeded);
      assertThat(store.calls).hasSize(2);
      assertThat(logs.text())
          .contains("a batch answered as stalled has ended in the store (failed)")
          .contains("busy");
    }
  }

  @Test
  void aStoreCallThatThrowsAnErrorFailsItsBatchAndTheNextBatchStillStarts() {
    AtomicInteger thrown = new AtomicInteger();
    HeldStore throwing =
        new HeldStore() {
          @Override
          public Future<IngestResult> ingest(
              List<List<AlertIntake>> requests, Triage triage, Instant now) {
            if (thrown.get() < 2) { // the batch, then its request retried alone
              thrown.incrementAndGet();
              throw new StackOverflowError("deep input");
            }
            return super.ingest(requests, triage, now);
          }
        };
    GroupCommitter c = committer(throwing, 1000, 1);
    Future<List<IncidentId>> first = submit(c, request(1, "A", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(first::isComplete);
    assertThat(first.cause())
        .isInstanceOf(StoreException.class)
        .hasMessage("store: commit failed: deep input")
        .hasCauseInstanceOf(StackOverflowError.class);

    Future<List<IncidentId>> second = submit(c, request(2, "B", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> throwing.calls.size() == 1);
    assertThat(thrown.get()).isEqualTo(2);
    throwing.commit(0);
    await().atMost(Duration.ofSeconds(5)).until(second::succeeded);
    assertThat(second.result()).containsExactly(new IncidentId(2));
  }

  @Test
  void aRequestWhosePreparationThrowsAnErrorFailsAndNoLongerCountsAsWaiting() {
    HeldStore throwing =
        new HeldStore() {
          @Override
          public List<AlertIntake> prepare(List<AlertIntake> request) {
            throw new StackOverflowError("deep labels");
          }
        };
    GroupCommitter c = committer(throwing, 1000, 1);
    Future<List<IncidentId>> f = submit(c, request(1, "A", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(f::isComplete);
    assertThat(f.cause()).isInstanceOf(StackOverflowError.class);
    assertThat(metrics.get("vigil_ingest_queue_alerts").gauge().value()).isZero();
    assertThat(throwing.calls).isEmpty();
  }

  @Test
  void aRequestNoLongerCountsAsWaitingWhenItsSenderHearsAndEvenIfItsCallbackThrows() {
    HeldStore store = new HeldStore();
    GroupCommitter c = committer(store, 1000, 1);
    // from a thread with no Vert.x context: the answer completes on the committer's own thread
    Future<List<IncidentId>> f = c.submit(request(1, "A", AlertStatus.FIRING));
    List<Double> queuedWhenAnswered = Collections.synchronizedList(new ArrayList<>());
    f.onComplete(
        ar -> {
          queuedWhenAnswered.add(queued());
          throw new IllegalStateException("the sender's own callback fails");
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 1);
    store.commit(0);

    await().atMost(Duration.ofSeconds(5)).until(() -> !queuedWhenAnswered.isEmpty());
    assertThat(queuedWhenAnswered).containsExactly(0.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> queued() == 0);
  }

  @Test
  void aCommitThatNamesNoIncidentsForARequestFailsItAndTheQueueEmpties() {
    HeldStore store = new HeldStore();
    GroupCommitter c = committer(store, 1000, 1);
    Future<List<IncidentId>> f = submit(c, request(1, "A", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 1);
    // a store's bug: committed, but the result lists no incidents for the request
    store.held.get(0).complete(new IngestResult(List.of(), List.of(), List.of()));

    await().atMost(Duration.ofSeconds(5)).until(f::isComplete);
    assertThat(f.cause())
        .isInstanceOf(StoreException.class)
        .hasMessage("store: the commit named no incidents for a request");
    assertThat(metrics.get("vigil_ingest_queue_alerts").gauge().value()).isZero();
    // and the next request is committed and answered
    Future<List<IncidentId>> next = submit(c, request(2, "B", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.size() == 2);
    store.commit(1);
    await().atMost(Duration.ofSeconds(5)).until(next::succeeded);
    assertThat(next.result()).containsExactly(new IncidentId(2));
  }

  @Test
  void aBatchCommittedButNotSyncedFailsEveryOneOfItsRequests() {
    // SQLite: committed, then its log could not be synced. It is not retried (the next batch may
    // have started), and each of its requests is answered with the failure
    SecondBatch s = secondBatchStartedAtTheFirstsCommit();
    SignallingStore signalling = s.store();
    signalling.commit(0);
    signalling.committed.get(1).run();
    signalling.held.get(1).fail(new StoreException("store: the log could not be synced", null));

    await().atMost(Duration.ofSeconds(5)).until(() -> s.b().isComplete() && s.b2().isComplete());
    assertThat(s.b().cause()).hasMessageContaining("could not be synced");
    assertThat(s.b2().cause()).hasMessageContaining("could not be synced");
    assertThat(s.a().succeeded()).isTrue();
    assertThat(signalling.calls).hasSize(2); // not retried
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> metrics.get("vigil_ingest_queue_alerts").gauge().value() == 0);
  }

  @Test
  void withSeveralBatchesAtOnceOneAboutTheSameGroupStartsOnceTheFirstIsAnsweredNotAtItsCommit() {
    // PostgreSQL: the later batch's outcome could otherwise be remembered before the earlier one's
    FiringThenResolved s = firingCommittingResolvedQueued(2);
    SignallingStore signalling = s.store();
    GroupCommitter c = s.committer();
    signalling.committed.get(0).run(); // committed: a slot is free, the group is not
    Future<List<IncidentId>> other = submit(c, request(2, "B", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 2);
    assertThat(groups(signalling.calls.get(1))).containsExactly("g2");

    signalling.commit(0);
    await().atMost(Duration.ofSeconds(5)).until(() -> signalling.calls.size() == 3);
    assertThat(groups(signalling.calls.get(2))).containsExactly("g1");
    signalling.commit(1);
    signalling.commit(2);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> s.firing().succeeded() && s.resolved().succeeded() && other.succeeded());
  }
}
