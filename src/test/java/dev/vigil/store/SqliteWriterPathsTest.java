package dev.vigil.store;

import static dev.vigil.store.SqlRunStoreTest.T;
import static dev.vigil.store.SqlRunStoreTest.await;
import static dev.vigil.store.SqlRunStoreTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.TestStore;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.oncall.TeamId;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.RunStore;
import dev.vigil.runbook.engine.StepRun;
import dev.vigil.runbook.engine.StepStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On SQLite the run store and the outbox write as work of the one writer thread: writes queued
 * while it is busy commit together in its next transaction (one group commit for every write path),
 * none completes before that commit, and a refused write is undone alone.
 */
class SqliteWriterPathsTest {
  @TempDir Path dir;
  Vertx vertx;
  Database db;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    db = await(Database.open(vertx, TestStore.sqlite(dir.resolve("w.db"))));
    insertIncident(db);
  }

  /** Incident 1, which outbox rows and runs can name. */
  static void insertIncident(Database db) {
    await(
        db.writer()
            .query(
                "INSERT INTO incidents (group_key, status, severity, type, title, labels, alert_count, firing_count, "
                    + "opened_at, updated_at) VALUES ('g', 'triggered', 'critical', 'x', 'checkout down', '{}', 1, 1, 0, 0)")
            .execute());
  }

  @AfterEach
  void close() {
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
  }

  /** Holds the writer thread in a transaction of its own until {@code release} counts down. */
  private Future<Object> holdWriter(CountDownLatch running, CountDownLatch release) {
    return TestStore.holdWriter(db.sqliteWriter(), running, release);
  }

  @Test
  void runAndOutboxWritesShareTheWritersNextCommitAndCompleteOnlyAfterIt() throws Exception {
    SqlRunStore runs = new SqlRunStore(db);
    SqlOutbox outbox = new SqlOutbox(db);
    RunId first = await(runs.create(record(1, 1, "auto")));
    assertThat(runs.counters()).containsExactly(1, 1);

    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Object> held = holdWriter(running, release);
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
    long commits = db.sqliteWriter().commits();

    Future<RunId> second = runs.create(record(2, 1, "dana"));
    Future<RunId> refused =
        runs.create(record(3, 1, "auto")); // the incident's automatic run exists
    Future<Void> step =
        runs.saveStep(
            first,
            new StepRun(
                "first", "http", StepStatus.SUCCEEDED, 1, T, T, null, Map.of(), null, "GET /"));
    Future<Void> run = runs.saveRun(first, RunStatus.RUNNING, T, null, T.plusSeconds(60), null);
    Future<Boolean> page = outbox.enqueue(intent("page:INC-1:0:eu"), T);
    Future<Boolean> again = outbox.enqueue(intent("page:INC-1:0:eu"), T);
    List<Future<?>> queued = List.of(second, refused, step, run, page, again);
    // nothing is acknowledged while the writer has not committed it
    assertThat(queued).noneMatch(Future::isComplete);

    release.countDown();
    await(held);
    RunId secondId = await(second);
    assertThat(
            refused
                .toCompletionStage()
                .toCompletableFuture()
                .handle((v, e) -> e)
                .get(30, TimeUnit.SECONDS))
        .isInstanceOf(RunStore.AlreadyDecided.class);
    await(step);
    await(run);
    assertThat(await(page)).isTrue();
    assertThat(await(again)).isFalse();

    // the held transaction, then one more with every queued write in it
    assertThat(db.sqliteWriter().commits()).isEqualTo(commits + 2);
    assertThat(runs.counters()).containsExactly(2, 4); // the refused create is not a write
    assertThat(secondId).isNotEqualTo(first);
    assertThat(await(runs.get(first)).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(await(runs.get(first)).orElseThrow().steps().get(0).status())
        .isEqualTo(StepStatus.SUCCEEDED);
    assertThat(await(runs.forIncident(new IncidentId(1)))).hasSize(2);
    assertThat(await(outbox.forIncident(new IncidentId(1)))).hasSize(1);
  }

  @Test
  void outboxAttemptsAddTheirLinesOnlyWhenTheyChangeAPendingIntent() {
    SqlOutbox outbox = new SqlOutbox(db);
    SqlIncidentStore incidents = new SqlIncidentStore(db);
    await(outbox.enqueue(intent("page:INC-1:0:eu"), T));
    OutboxEntry entry = await(outbox.due(T, 10)).get(0);
    TimelineEvent line = new TimelineEvent(T, "notified", "notify", "paged team eu");
    await(outbox.finished(entry, Set.of("pagerduty"), Map.of(), null, T, List.of(line)));
    // already delivered: a late second record changes nothing and adds no line
    await(outbox.finished(entry, Set.of("pagerduty"), Map.of(), "late", T, List.of(line)));
    await(outbox.delivered(List.of(entry), T, e -> line));
    assertThat(await(incidents.timeline(new IncidentId(1)))).containsExactly(line);
    OutboxEntry stored = await(outbox.byKey("page:INC-1:0:eu")).orElseThrow();
    assertThat(stored.status()).isEqualTo(OutboxEntry.Status.DELIVERED);
    assertThat(stored.attempts()).isEqualTo(1);
    assertThat(stored.lastError()).isNull();
  }

  @Test
  void aWriteThatThrowsAnErrorFailsAloneAndTheWriterGoesOn() {
    // an Error that reached the writer's loop would end its thread, and every later write would
    // wait for good
    Future<Object> broken =
        db.sqliteWriter()
            .submit(
                tx -> {
                  tx.prepare("UPDATE incidents SET title = 'half done' WHERE id = 1")
                      .executeUpdate();
                  throw new StackOverflowError("deep input");
                });
    assertThatThrownBy(() -> await(broken))
        .hasRootCauseInstanceOf(StackOverflowError.class)
        .hasMessageContaining("store: a write failed: java.lang.StackOverflowError: deep input");

    SqlIncidentStore incidents = new SqlIncidentStore(db);
    await(
        db.sqliteWriter()
            .submit(
                tx ->
                    tx.prepare("UPDATE incidents SET severity = 'warning' WHERE id = 1")
                        .executeUpdate()));
    Incident one = await(incidents.get(new IncidentId(1))).orElseThrow();
    assertThat(one.title()).isEqualTo("checkout down"); // the failed write was rolled back
    assertThat(one.severity().wire()).isEqualTo("warning");
  }

  /** Adds a note with {@code text} to incident 1's timeline, to the statement's batch only. */
  static PreparedStatement batchNote(SqliteWriter.Tx tx, String text) throws SQLException {
    PreparedStatement ps =
        tx.prepare(
            "INSERT INTO timeline (incident_id, at, kind, actor, text) VALUES (1, 0, 'note', 'test', ?)");
    ps.setString(1, text);
    ps.addBatch();
    return ps;
  }

  @Test
  void aWriteThatFailsBesideOthersLeavesNoBatchedRowForTheNextToWrite() throws Exception {
    // queued behind a held transaction, the two share the next one, each in its own savepoint; the
    // driver keeps a statement's batch until it is executed or cleared
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Object> held = holdWriter(running, release);
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
    Future<Object> broken =
        db.sqliteWriter()
            .submit(
                tx -> {
                  batchNote(tx, "batched, never executed");
                  throw new StackOverflowError("deep input");
                });
    Future<int[]> good = db.sqliteWriter().submit(tx -> batchNote(tx, "written").executeBatch());
    release.countDown();
    await(held);
    assertThatThrownBy(() -> await(broken)).hasRootCauseInstanceOf(StackOverflowError.class);
    assertThat(await(good)).hasSize(1);
    assertThat(await(new SqlIncidentStore(db).timeline(new IncidentId(1))))
        .extracting(TimelineEvent::text)
        .containsExactly("written");
  }

  @Test
  void aCommitListenerThatThrowsAnErrorLeavesTheWriterWorking() {
    Future<Integer> first =
        db.sqliteWriter()
            .submit(
                tx ->
                    tx.prepare("UPDATE incidents SET severity = 'warning' WHERE id = 1")
                        .executeUpdate(),
                () -> {
                  throw new StackOverflowError("in a listener");
                },
                null);
    assertThat(await(first)).isEqualTo(1); // stored, and told so
    Future<Integer> second =
        db.sqliteWriter()
            .submit(
                tx ->
                    tx.prepare("UPDATE incidents SET severity = 'info' WHERE id = 1")
                        .executeUpdate(),
                n -> {
                  throw new StackOverflowError("in a committed callback");
                });
    assertThat(await(second)).isEqualTo(1);
    Future<Integer> third =
        db.sqliteWriter()
            .submit(
                tx -> tx.prepare("UPDATE incidents SET title = 't' WHERE id = 1").executeUpdate());
    assertThat(await(third)).isEqualTo(1);
  }

  static NotificationIntent intent(String key) {
    return new NotificationIntent(
        key,
        NotificationIntent.Kind.PAGE,
        new IncidentId(1),
        new TeamId("eu"),
        1,
        List.of("pagerduty"),
        "{}");
  }

  @Test
  void aTaskRunsOnTheWriterAfterTheTransactionsQueuedBeforeItCommitAndIsNoCommitItself()
      throws Exception {
    SqliteWriter writer = db.sqliteWriter();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    long commits = writer.commits();
    Future<Object> held = holdWriter(running, release);
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
    Future<Integer> write =
        writer.submit(
            tx ->
                tx.prepare("INSERT INTO store_marks (name, value) VALUES ('task-test', 7)")
                    .executeUpdate());
    java.util.concurrent.CompletableFuture<String> seen =
        new java.util.concurrent.CompletableFuture<>();
    assertThat(
            writer.onThread(
                () -> {
                  // another connection sees what committed before the task
                  try (java.sql.Connection c =
                          java.sql.DriverManager.getConnection(
                              "jdbc:sqlite:" + dir.resolve("w.db"));
                      java.sql.ResultSet rs =
                          c.createStatement()
                              .executeQuery(
                                  "SELECT value FROM store_marks WHERE name = 'task-test'")) {
                    seen.complete(
                        Thread.currentThread().getName()
                            + " "
                            + (rs.next() ? rs.getLong(1) : "nothing"));
                  } catch (SQLException e) {
                    seen.completeExceptionally(e);
                  }
                }))
        .isTrue();
    release.countDown();
    await(held);
    await(write);
    assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo("vigil-sqlite-writer 7");
    // the held transaction and the write; the task is none
    assertThat(writer.commits() - commits).isEqualTo(2);
    await(db.close());
    assertThat(writer.onThread(() -> {})).isFalse();
    db = null;
  }

  @Test
  void aPoolTransactionWhoseVertxClosedBeforeItsTurnFailsAloneAndTheWriterGoesOn()
      throws Exception {
    Vertx closing = Vertx.vertx();
    SqliteWriter writer =
        SqliteWriter.open(closing, "jdbc:sqlite:" + dir.resolve("other.db"), null);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestStore.holdWriter(writer, running, release);
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
    // queued behind the held transaction; its turn comes once its Vert.x is gone
    Future<String> section = writer.exclusively(() -> Future.succeededFuture("never"));
    await(closing.close());
    CountDownLatch later = new CountDownLatch(1);
    assertThat(writer.onThread(later::countDown)).isTrue();
    release.countDown();

    // without the guard the writer thread died at the section's turn, and nothing after it ran
    assertThat(later.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(section.failed()).isTrue();
    assertThat(section.cause()).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    try {
      writer.close();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // its Vert.x is closed, so the stop cannot be awaited there; the writer thread still ends
    }
  }

  @Test
  void aWriterThreadInterruptedOutOfItsLoopRefusesLaterWritesInsteadOfQueueingThemForGood()
      throws Exception {
    SqliteWriter writer = db.sqliteWriter();
    writer.thread().interrupt();
    writer.thread().join(30_000);
    assertThat(writer.thread().isAlive()).isFalse();

    Future<Integer> later = writer.submit(tx -> 1);
    assertThat(later.failed()).isTrue();
    assertThat(later.cause())
        .isInstanceOf(dev.vigil.ports.StoreException.class)
        .hasMessage("store: closed");
    assertThat(writer.onThread(() -> {})).isFalse();
  }
}
