package dev.vigil.store;

import dev.vigil.ports.StoreException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite's single writer: one platform thread that owns one JDBC connection and runs every write
 * handed to it synchronously, with no hop between statements. Work queued while a transaction runs
 * is taken together into the next one (group commit: one fsync for all of it), each piece inside a
 * savepoint so that one that fails is undone alone. Each caller's future completes on the caller's
 * context once its transaction is committed and on disk; a piece's {@code committed} callback runs
 * then, in commit order (the pipeline is fed from there). Where the log is synced off this thread
 * ({@link SqliteLogSync}, ADR 0146), this thread starts its next transaction while the last one's
 * log is synced, and the callbacks and futures follow the sync.
 *
 * <p>Statements are prepared once per connection and reused. Readers keep their own connections:
 * WAL lets them run beside the writer.
 */
public final class SqliteWriter {
  private static final Logger log = LoggerFactory.getLogger(SqliteWriter.class);

  /** Pieces of work per transaction, at most. */
  private static final int MAX_PER_TRANSACTION = 256;

  /** Work run on the writer thread inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(SqliteWriter.Tx tx) throws SQLException;
  }

  /** What a piece of work sees: the connection and its prepared statements. */
  public final class Tx {
    /** A prepared statement for {@code sql}, prepared once and kept; its parameters are cleared. */
    public PreparedStatement prepare(String sql) throws SQLException {
      PreparedStatement ps = statements.get(sql);
      if (ps == null) {
        ps = connection.prepareStatement(sql);
        statements.put(sql, ps);
      } else {
        ps.clearParameters();
      }
      return ps;
    }

    public Connection connection() {
      return connection;
    }
  }

  private static final WriterJob<Object> STOP = new WriterJob<>(null, null, null, null, null);

  private final Vertx vertx;
  private final Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private final Tx tx = new Tx();
  private final LinkedBlockingQueue<WriterJob<?>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final SqliteCheckpointer checkpointer;
  private final AlertKeys alertKeys;

  /** Hands commits out: after syncing the log off this thread, or at once (ADR 0146). */
  private final SqliteLogSync sync;

  private volatile boolean closed;
  private volatile long commits;

  /** The number of the commit whose callbacks run now (see {@link #handingOut}). */
  private volatile long handingOut;

  private SqliteWriter(
      Vertx vertx,
      Connection connection,
      SqliteCheckpointer checkpointer,
      SqliteLogSync sync,
      String jdbcUrl) {
    this.vertx = vertx;
    this.connection = connection;
    this.checkpointer = checkpointer;
    this.sync = sync;
    this.alertKeys = new AlertKeys(this, jdbcUrl);
    this.thread = new Thread(this::loop, "vigil-sqlite-writer");
    this.thread.setDaemon(true);
  }

  /**
   * Opens the writer's connection to {@code jdbcUrl} and starts its thread, and the {@link
   * SqliteCheckpointer} that copies the log back into the file beside it. With {@code
   * syncOffThread} (the store's {@code synchronous} is FULL) the connection commits at NORMAL and a
   * {@link SqliteLogSync} syncs the log of {@code file} before any commit is handed out (ADR 0146).
   */
  public static SqliteWriter open(Vertx vertx, String jdbcUrl, Path file, boolean syncOffThread)
      throws SQLException {
    return open(vertx, jdbcUrl, syncOffThread ? SqliteLogSync.wal(file) : null);
  }

  /** {@link #open(Vertx, String, Path, boolean)} with the log synced by {@code force} (tests). */
  static SqliteWriter open(Vertx vertx, String jdbcUrl, SqliteLogSync.Force force)
      throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl);
    SqliteCheckpointer checkpointer = null;
    SqliteLogSync sync = null;
    try {
      c.setAutoCommit(true);
      if (force != null) {
        try (Statement st = c.createStatement()) {
          st.execute("PRAGMA synchronous = NORMAL");
        }
      }
      checkpointer = SqliteCheckpointer.start(jdbcUrl);
      sync = new SqliteLogSync(force, checkpointer::halt);
      SqliteWriter w = new SqliteWriter(vertx, c, checkpointer, sync, jdbcUrl);
      w.thread.start();
      return w;
    } catch (SQLException | RuntimeException | Error e) {
      // an Error too (no thread could be made, say): the threads already started must not outlive
      // the store that failed to open
      closeAfterFailedOpen(e, c, sync, checkpointer);
      throw e;
    }
  }

  /** Closes what a failed {@link #open} had made; what fails meanwhile is added to {@code e}. */
  private static void closeAfterFailedOpen(
      Throwable e, Connection c, SqliteLogSync sync, SqliteCheckpointer checkpointer) {
    try {
      if (sync != null) {
        sync.close();
      }
      if (checkpointer != null) {
        checkpointer.close();
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error also) {
      e.addSuppressed(also);
    }
    try {
      c.close();
    } catch (SQLException | RuntimeException also) {
      e.addSuppressed(also);
    }
  }

  /** The identity of alerts, used by ingest on this writer's thread. */
  AlertKeys alertKeys() {
    return alertKeys;
  }

  /** The thread that checkpoints beside this writer (tests, benchmarks). */
  SqliteCheckpointer checkpointer() {
    return checkpointer;
  }

  /**
   * Runs {@code work} in the next transaction; the future completes once it is committed (or
   * failed).
   */
  public <T> Future<T> submit(Work<T> work) {
    return submit(work, null);
  }

  /**
   * Runs {@code work} in the next transaction. {@code committed} (if not null) gets its result once
   * the transaction is committed and on disk, before the future completes, on the writer's or the
   * sync's thread, in commit order: callers that must see commits in order hang off it. It must not
   * block.
   */
  public <T> Future<T> submit(Work<T> work, Consumer<T> committed) {
    return submit(work, null, committed);
  }

  /**
   * {@link #submit(Work, Consumer)}, running {@code onCommit} (if not null) on the writer thread as
   * soon as the transaction is committed and handed to the log's sync, before the sync is done (ADR
   * 0146, 0150): whoever feeds this writer can start its next piece then, on this thread, and its
   * next piece runs as soon as {@code onCommit} returns. It may run after the future completed. It
   * must not block.
   */
  public <T> Future<T> submit(Work<T> work, Runnable onCommit, Consumer<T> committed) {
    Promise<T> promise = Promise.promise();
    if (closed) {
      return Future.failedFuture(new StoreException("store: closed", null));
    }
    StoreException broken = broken();
    if (broken != null) {
      return Future.failedFuture(broken);
    }
    queue.add(new WriterJob<>(work, onCommit, committed, promise, vertx.getOrCreateContext()));
    return promise.future();
  }

  /**
   * Runs {@code task} on the writer thread between transactions, once every transaction queued
   * before it has committed: no transaction of its own, no commit, no sync. For state that belongs
   * to the writer thread. False (and it never runs) once the writer is closed; a task queued as the
   * writer stops may still not run.
   */
  boolean onThread(Runnable task) {
    if (closed) {
      return false;
    }
    queue.add(new WriterJob.Task(task));
    return true;
  }

  /**
   * Runs {@code section} (a transaction on another connection to the same file) in this writer's
   * turn: the writer thread starts it on the caller's context and waits until its future completes
   * before it begins anything else. {@code section} must use only its own connection: waiting in it
   * for work of this writer would stall both until {@link WriterJob.Exclusive#MAX_MILLIS}.
   */
  public <T> Future<T> exclusively(Supplier<Future<T>> section) {
    if (closed) {
      return section.get();
    }
    Promise<T> promise = Promise.promise();
    queue.add(new WriterJob.Exclusive<>(section, promise, vertx.getOrCreateContext()));
    return promise.future();
  }

  /** Transactions committed since start (benchmarks, tests). Read from any thread. */
  public long commits() {
    return commits;
  }

  /**
   * Within a {@code committed} callback, the number of its transaction (the {@link #commits} count
   * once it was committed): the callbacks of one transaction see the same number, those of the next
   * a higher one.
   */
  long handingOut() {
    return handingOut;
  }

  /**
   * Completes once every commit a reader could have seen so far is on disk: a reader whose rows
   * lead to an effect outside Vigil (a page, a message) reads, then waits here, then acts. At once
   * where each commit syncs itself.
   */
  public Future<Void> durable() {
    return sync.durable(vertx.getOrCreateContext());
  }

  /** Why every write fails since a sync of the log failed (ADR 0146); null while syncs succeed. */
  public StoreException broken() {
    return sync.broken();
  }

  /** Callers of {@link #durable} waiting for a sync (tests). */
  int durableWaiters() {
    return sync.waiters();
  }

  /** The writer thread (tests). */
  Thread thread() {
    return thread;
  }

  /** Whether {@link #close} has been called, or the writer thread has ended. */
  boolean closed() {
    return closed;
  }

  /** Finishes the work queued, then closes the connection. */
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    queue.add(STOP);
    return vertx.executeBlocking(
        () -> {
          thread.join();
          return null;
        },
        false);
  }

  private void loop() {
    List<WriterJob<?>> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      queue.drainTo(batch, MAX_PER_TRANSACTION - 1);
      if (batch.remove(STOP)) {
        stop = true;
      }
      // in queue order: runs of ordinary work as one transaction each; a pool transaction or a task
      // (onThread) alone between two of them
      List<WriterJob<?>> run = new ArrayList<>();
      for (WriterJob<?> job : batch) {
        if (job instanceof WriterJob.Alone<?> alone) {
          if (!run.isEmpty()) {
            runTransaction(run);
            run = new ArrayList<>();
          }
          alone.run(broken());
        } else {
          run.add(job);
        }
      }
      if (!run.isEmpty()) {
        runTransaction(run);
      }
      batch.clear();
    }
    // anything that arrived after the stop fails; the connection closes. An interrupt ends the loop
    // without close(): from here on nothing more is taken either, or it would wait for good
    closed = true;
    List<WriterJob<?>> late = new ArrayList<>();
    queue.drainTo(late);
    late.remove(STOP);
    for (WriterJob<?> j : late) {
      j.failure = new StoreException("store: closed", null);
    }
    // each told on its own: one whose Vert.x is closed cannot keep the connection open
    WriterJob.completeAll(late);
    try {
      // the last commits are synced and handed out while the log file is certainly there
      sync.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      for (PreparedStatement ps : statements.values()) {
        ps.close();
      }
      connection.close();
    } catch (SQLException e) {
      log.atWarn().log("store: closing the SQLite writer connection: " + e.getMessage());
    }
    try {
      alertKeys.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      checkpointer.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs {@code sql} (a statement without parameters or results), prepared once. */
  private void control(String sql) throws SQLException {
    tx.prepare(sql).execute();
  }

  private void runTransaction(List<WriterJob<?>> batch) {
    StoreException broken = broken();
    if (broken != null) {
      // not run: its commit could not be made durable (ADR 0146)
      for (WriterJob<?> job : batch) {
        job.failure = broken;
      }
      WriterJob.completeAll(batch);
      return;
    }
    boolean savepoints = batch.size() > 1;
    long seq = 0;
    try {
      control("BEGIN IMMEDIATE");
      try {
        for (WriterJob<?> job : batch) {
          runOne(job, savepoints);
        }
        seq = sync.begin();
        control("COMMIT");
      } catch (SQLException | RuntimeException | Error e) {
        rollback();
        alertKeys.rollBack(0);
        throw e;
      }
    } catch (SQLException | RuntimeException | Error e) {
      // an Error too (from the driver's native code, say): it would end this thread, and every
      // write after it would wait for good
      StoreException failure = StoreException.commitFailed(e);
      for (WriterJob<?> job : batch) {
        job.failure = job.failure != null && !savepoints ? job.failure : failure;
      }
      // after the commits before it are handed out: a refusal ("already acknowledged") may rest on
      // one of them, and must not be told before it is on disk
      sync.committed(
          seq != 0 ? seq : sync.begun(),
          () -> WriterJob.completeAll(batch),
          lost -> WriterJob.completeAll(batch));
      return;
    }
    // committed: nothing from here on may roll the keys back
    commits++;
    checkpointer.committed();
    try {
      alertKeys.committed();
    } catch (RuntimeException | Error e) { // an Error too: the commit is done, and must be told
      log.atError().setCause(e).log("store: recording committed alert keys failed");
    }
    List<Runnable> onCommit = new ArrayList<>(1);
    for (WriterJob<?> job : batch) {
      if (job.failure == null && job.onCommit != null) {
        onCommit.add(job.onCommit);
      }
    }
    long number = commits;
    // where the log is synced off this thread, this thread goes on with the next transaction
    sync.committed(
        seq,
        () -> handOut(batch, number),
        lost -> {
          for (WriterJob<?> job : batch) {
            job.failure = lost;
          }
          WriterJob.completeAll(batch);
        });
    // after the sync has this commit: whoever feeds the writer now starts its next piece, here on
    // this thread (ADR 0150), and the log's sync need not wait for it
    for (Runnable r : onCommit) {
      try {
        r.run();
      } catch (RuntimeException | Error e) { // an Error too: it would end this thread
        log.atError().setCause(e).log("store: a commit listener failed; the change is stored");
      }
    }
  }

  /** Runs the committed pieces' callbacks, in order, and completes every piece's future. */
  private void handOut(List<WriterJob<?>> batch, long number) {
    handingOut = number;
    for (WriterJob<?> job : batch) {
      if (job.failure == null) {
        job.runCommitted();
      }
    }
    WriterJob.completeAll(batch);
  }

  private <T> void runOne(WriterJob<T> job, boolean savepoint) throws SQLException {
    if (!savepoint) {
      // alone in its transaction: a failure rolls the transaction back (the caller gets the cause)
      try {
        job.result = work(job);
      } catch (SQLException | RuntimeException e) {
        job.failure =
            e instanceof RuntimeException re
                ? re
                : new StoreException("store: " + e.getMessage(), e);
        throw e;
      }
      return;
    }
    control("SAVEPOINT job");
    int keys = alertKeys.staged();
    try {
      job.result = work(job);
      control("RELEASE job");
    } catch (SQLException | RuntimeException e) {
      control("ROLLBACK TO job");
      control("RELEASE job");
      // the alert keys this piece staged went with its rows
      alertKeys.rollBack(keys);
      // and rows it batched but never executed must not go out with the next piece's batch: the
      // driver keeps a statement's batch until it is executed or cleared
      for (PreparedStatement ps : statements.values()) {
        ps.clearBatch();
      }
      job.failure =
          e instanceof RuntimeException re ? re : new StoreException("store: " + e.getMessage(), e);
    }
  }

  /**
   * Runs a job's work. An {@link Error} from it (a stack overflow on some input, say) fails that
   * job like any other failure: were it to reach the loop, the thread would end and every write
   * after it would wait for good, its callers never answered. An {@link OutOfMemoryError} is failed
   * the same way, so that writes fail where they would have hung; after one the process should be
   * restarted ({@code -XX:+ExitOnOutOfMemoryError}, as the container image runs it, does that).
   */
  private <T> T work(WriterJob<T> job) throws SQLException {
    try {
      return job.work.run(tx);
    } catch (Error e) {
      throw new StoreException("store: a write failed: " + e, e);
    }
  }

  /**
   * Rolls the failed transaction back. The statements prepared so far are closed first and prepared
   * again on their next use: one that failed mid-step (a full disk fails a COMMIT or an insert) is
   * left unreset by the driver, and would keep the connection from rolling back and from starting
   * the next transaction, so the writer would fail every batch after it.
   */
  private void rollback() {
    for (PreparedStatement ps : statements.values()) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // closing is all that is asked of it
      }
    }
    statements.clear();
    try (Statement st = connection.createStatement()) {
      st.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // no transaction left to roll back (SQLite rolled it back itself)
    }
  }
}
