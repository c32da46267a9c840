package dev.vigil.store;

import static dev.vigil.store.SqlRunStoreTest.T;
import static dev.vigil.store.SqlRunStoreTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestStore;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.ports.StoreException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite at {@code synchronous: FULL} commits on the writer thread and syncs the log on another
 * (ADR 0146): nobody is told of a commit, and the outbox sends nothing it read, before the log is
 * synced; the writer goes on meanwhile; a failed sync fails its commits and every write after it.
 */
class SqliteLogSyncTest {
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final HeldSync sync = new HeldSync();
  Database db;

  /** Stands in for the log's fsync: it can be held until the test releases it, or fail. */
  static final class HeldSync implements SqliteLogSync.Force {
    final AtomicInteger calls = new AtomicInteger();
    volatile CountDownLatch entered = new CountDownLatch(1);
    volatile CountDownLatch release;

    /** An IOException, or an Error, that the next syncs throw. */
    volatile Throwable failure;

    /** The next sync waits until {@link #release} counts down. */
    void hold() {
      entered = new CountDownLatch(1);
      release = new CountDownLatch(1);
    }

    @Override
    public void force() throws IOException {
      calls.incrementAndGet();
      CountDownLatch r = release;
      entered.countDown();
      if (r != null) {
        try {
          r.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      Throwable f = failure;
      if (f instanceof IOException io) {
        throw io;
      }
      if (f instanceof Error e) {
        throw e;
      }
    }

    void awaitEntered() throws InterruptedException {
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @AfterEach
  void close() {
    if (sync.release != null) {
      sync.release.countDown();
    }
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
  }

  private Database open(SqliteLogSync.Force force) {
    db = await(Database.open(vertx, TestStore.sqlite(dir.resolve("s.db")), force));
    return db;
  }

  /** A write of one mark row, whose callback adds {@code name} to {@code callbacks}. */
  private Future<Object> mark(String name, List<String> callbacks) {
    return db.sqliteWriter()
        .submit(
            tx -> {
              var ps = tx.prepare("INSERT INTO store_marks (name, value) VALUES (?, 1)");
              ps.setString(1, name);
              ps.executeUpdate();
              return null;
            },
            r -> callbacks.add(name));
  }

  private int marksNamed(String name) {
    return await(
            db.reader()
                .preparedQuery("SELECT COUNT(*) FROM store_marks WHERE name = ?")
                .execute(io.vertx.sqlclient.Tuple.of(name)))
        .iterator()
        .next()
        .getInteger(0);
  }

  /** Commits a mark named "first" and holds its sync; {@link #commits} is the count before it. */
  private Future<Object> firstHeld(List<String> callbacks) throws InterruptedException {
    open(sync);
    commits = db.sqliteWriter().commits();
    sync.hold();
    Future<Object> first = mark("first", callbacks);
    sync.awaitEntered();
    return first;
  }

  private long commits;

  @Test
  void aCommitIsAnsweredOnlyOnceItsLogIsSyncedAndTheWriterGoesOnMeanwhile() throws Exception {
    List<String> callbacks = new CopyOnWriteArrayList<>();
    Future<Object> first = firstHeld(callbacks);
    // committed, and readable on another connection, but not on disk: nobody is told yet
    assertThat(marksNamed("first")).isEqualTo(1);
    assertThat(first.isComplete()).isFalse();
    assertThat(callbacks).isEmpty();
    Future<Void> durable = db.sqliteWriter().durable();
    assertThat(durable.isComplete()).isFalse();

    // the writer does not wait for the sync: the next write commits while it runs
    Future<Object> second = mark("second", callbacks);
    await().atMost(Duration.ofSeconds(30)).until(() -> db.sqliteWriter().commits() == commits + 2);
    assertThat(marksNamed("second")).isEqualTo(1);
    assertThat(List.of(first, second, durable)).noneMatch(Future::isComplete);

    sync.release.countDown();
    await(first);
    await(second);
    await(durable);
    // in commit order, each once
    assertThat(callbacks).containsExactly("first", "second");
  }

  @Test
  void aSyncThatThrowsAnErrorFailsItsCommitsInsteadOfLeavingThemUnanswered() {
    // what a memory-mapped write reports when the disk under it fails
    List<String> callbacks = new CopyOnWriteArrayList<>();
    Throwable lost =
        lostTo(
            new InternalError("a fault occurred in an unsafe memory access operation"), callbacks);
    assertThat(lost).hasMessageContaining("(a fault occurred in an unsafe memory access");
    sync.failure = null;
    assertThat(failure(mark("later", callbacks))).hasMessage(lost.getMessage());
  }

  /** A write whose sync fails with {@code failure}: its failure, after checking what it says. */
  private Throwable lostTo(Throwable failure, List<String> callbacks) {
    open(sync);
    sync.failure = failure;
    Throwable lost = failure(mark("lost", callbacks));
    assertThat(lost)
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("could not be synced to disk (")
        .hasMessageContaining("until Vigil restarts");
    assertThat(callbacks).as("nothing is published for a commit that may be lost").isEmpty();
    return lost;
  }

  @Test
  void aFailedSyncFailsItsCommitsAndEveryWriteAfterIt() {
    List<String> callbacks = new CopyOnWriteArrayList<>();
    Throwable lost = lostTo(new IOException("Input/output error"), callbacks);
    assertThat(lost).hasMessageContaining("(Input/output error)");

    // not retried: a later sync that succeeds would not prove the lost pages were written
    sync.failure = null;
    int syncs = sync.calls.get();
    assertThat(failure(mark("later", callbacks))).hasMessage(lost.getMessage());
    assertThat(failure(db.sqliteWriter().durable())).hasMessage(lost.getMessage());
    assertThat(sync.calls.get()).isEqualTo(syncs);
    assertThat(marksNamed("later")).isZero();
    assertThat(failure(db.ping())).as("/readyz: not ready").hasMessage(lost.getMessage());
    // nor does a pool transaction run in the writer's turn (its own sync would prove nothing), and
    // nothing copies the log into the file any more
    AtomicInteger ran = new AtomicInteger();
    assertThat(
            failure(
                db.inTransaction(
                    conn -> {
                      ran.incrementAndGet();
                      return Future.succeededFuture();
                    })))
        .hasMessage(lost.getMessage());
    assertThat(ran).hasValue(0);
    await().atMost(Duration.ofSeconds(30)).until(() -> !db.sqliteWriter().checkpointer().running());
  }

  @Test
  void aRefusalIsToldOnlyAfterTheCommitsBeforeItAreOnDisk() throws Exception {
    // a refusal ("already acknowledged") can rest on a commit not yet synced
    List<String> callbacks = new CopyOnWriteArrayList<>();
    Future<Object> first = firstHeld(callbacks);
    Future<Object> refused =
        db.sqliteWriter()
            .submit(
                tx -> {
                  throw new IllegalStateException("already acknowledged");
                });
    Future<Object> third = mark("third", callbacks);
    await().atMost(Duration.ofSeconds(30)).until(() -> db.sqliteWriter().commits() == commits + 2);
    assertThat(List.of(first, refused, third)).noneMatch(Future::isComplete);

    sync.release.countDown();
    await(first);
    await(third);
    assertThat(failure(refused)).hasMessage("already acknowledged");
  }

  @Test
  void theOutboxSendsNothingItReadBeforeThatRowIsOnDisk() throws Exception {
    open(sync);
    SqliteWriterPathsTest.insertIncident(db);
    SqlOutbox outbox = new SqlOutbox(db);
    sync.hold();
    Future<Boolean> enqueued = outbox.enqueue(SqliteWriterPathsTest.intent("page:INC-1:0:eu"), T);
    sync.awaitEntered();

    // the sender's read sees the committed row, and waits for the sync before handing it over
    Future<List<OutboxEntry>> due = outbox.due(T.plusSeconds(1), 10);
    await().atMost(Duration.ofSeconds(30)).until(() -> db.sqliteWriter().durableWaiters() == 1);
    assertThat(rowsInOutbox()).isEqualTo(1);
    assertThat(due.isComplete()).isFalse();
    assertThat(enqueued.isComplete()).isFalse();

    sync.release.countDown();
    assertThat(await(enqueued)).isTrue();
    assertThat(await(due)).extracting(e -> e.intent().key()).containsExactly("page:INC-1:0:eu");
  }

  private long rowsInOutbox() {
    Row row = await(db.reader().query("SELECT COUNT(*) FROM outbox").execute()).iterator().next();
    return row.getLong(0);
  }

  @Test
  void fullCommitsAtNormalAndSyncsTheRealLogWhileNormalKeepsSqlitesOwnBehaviour() {
    db = await(Database.open(vertx, TestStore.sqlite(dir.resolve("full.db"))));
    assertThat(writerSynchronous()).as("FULL: the writer's own commits do not sync").isEqualTo(1);
    await(mark("full", new CopyOnWriteArrayList<>()));
    assertThat(marksNamed("full")).isEqualTo(1);
    await(db.close());

    db =
        await(
            Database.open(
                vertx,
                new VigilConfig.Store(
                    "sqlite:" + dir.resolve("normal.db"),
                    new Secret(""),
                    "NORMAL",
                    Duration.ofSeconds(5),
                    4)));
    assertThat(writerSynchronous()).isEqualTo(1);
    assertThat(db.sqliteWriter().durable().isComplete())
        .as("NORMAL: nothing to wait for, as SQLite never syncs a commit there")
        .isTrue();
  }

  /** The writer connection's {@code PRAGMA synchronous} (1 NORMAL, 2 FULL). */
  private int writerSynchronous() {
    return (int) SqliteMemoryMapTest.writerPragma(db, "synchronous");
  }

  private static Throwable failure(Future<?> f) {
    try {
      return f.toCompletionStage()
          .toCompletableFuture()
          .handle((v, e) -> e == null ? null : e)
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
