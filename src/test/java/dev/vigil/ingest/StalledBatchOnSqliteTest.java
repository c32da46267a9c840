package dev.vigil.ingest;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestStore;
import dev.vigil.alert.AlertStatus;
import dev.vigil.classify.LabelTriage;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.ports.StoreException;
import dev.vigil.store.Database;
import dev.vigil.store.SqlIncidentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stall watchdog (ADR 0154) against a real SQLite store whose one writer thread is busy: the
 * request is answered 503, and what the writer stores once it is free reaches the pipeline once.
 */
class StalledBatchOnSqliteTest {
  @TempDir Path dir;
  Vertx vertx;
  Database db;
  final List<IncidentEvent> published = new CopyOnWriteArrayList<>();
  final AtomicLong nanos = new AtomicLong();
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    db = await(Database.open(vertx, TestStore.sqlite(dir.resolve("stall.db"))));
  }

  @AfterEach
  void close() {
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
  }

  Future<List<IncidentId>> submit(GroupCommitter c, List<AlertIntake> request) {
    Promise<List<IncidentId>> p = Promise.promise();
    vertx.runOnContext(v -> c.submit(request).onComplete(p));
    return p.future();
  }

  @Test
  void aBatchTheBusyWriterHoldsIsAnswered503AndWhatItStoresLaterReachesThePipelineOnce()
      throws Exception {
    SqlIncidentStore store = new SqlIncidentStore(db, published::addAll);
    GroupCommitter c =
        new GroupCommitter(
            vertx,
            store,
            new LabelTriage(),
            Clock.fixed(GroupCommitterTest.T0, ZoneOffset.UTC),
            1000,
            1000,
            1,
            GroupCommitter.STALL_AFTER,
            nanos::get,
            metrics);
    // the writer thread busy in a transaction of its own (a disk that no longer answers, say)
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Object> busy = TestStore.holdWriter(db.sqliteWriter(), running, release);
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

    Future<List<IncidentId>> first =
        submit(c, GroupCommitterTest.request(1, "DiskFull", AlertStatus.FIRING));
    // the clock moved past the bound, again at each look (the batch may reach the store after the
    // first move): the periodic check or this one answers it
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              nanos.addAndGet(GroupCommitter.STALL_AFTER.toNanos());
              await(c.checkStallsNow());
              return first.isComplete();
            });
    assertThat(first.cause())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("has not finished in 30s; whether they are stored is not known");
    assertThat(published).isEmpty();

    // the writer is free again: the batch is stored, and the pipeline hears of it
    release.countDown();
    await(busy);
    await().atMost(Duration.ofSeconds(10)).until(() -> !published.isEmpty());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metrics.get("vigil_ingest_queue_alerts").gauge().value() == 0);
    assertThat(published).hasSize(1).first().isInstanceOf(IncidentEvent.Opened.class);
    IncidentId opened = ((IncidentEvent.Opened) published.get(0)).incident().id();

    // the sender's retry finds it stored: the same incident, answered 202, and nothing new to
    // publish (the pipeline is told before the answer)
    Future<List<IncidentId>> retry =
        submit(c, GroupCommitterTest.request(1, "DiskFull", AlertStatus.FIRING));
    await().atMost(Duration.ofSeconds(10)).until(retry::isComplete);
    assertThat(retry.result()).containsExactly(opened);
    assertThat(published).hasSize(1);
    assertThat(metrics.get("vigil_commit_stalls_total").counter().count()).isEqualTo(1);
  }
}
