package dev.vigil.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies SQLite's write-ahead log back into the database file on a thread and connection of its
 * own, so that the {@link SqliteWriter}'s thread only appends to the log and syncs it.
 *
 * <p>Left to itself, SQLite checkpoints in the connection that commits, once the log passes 1,000
 * pages: the writer thread then reads those pages back, writes them into the database file, syncs
 * it, and waits on the kernel's writeback of pages it wrote before; under load that was most of the
 * time it spent off the CPU (ADR 0120). Here every connection's automatic checkpoint is moved out
 * to {@link #BACKSTOP_PAGES}, and this thread runs a passive checkpoint after commits (it never
 * waits for or blocks the writer or a reader). A passive checkpoint cannot restart the log while
 * the writer keeps appending, so the writer's backstop still fires now and then; by then almost
 * every page is copied, so it is short, and the log starts again from its beginning.
 *
 * <p>Durability is unchanged: a transaction is durable once its log frames are synced, as before,
 * and a crash at any point leaves a log that SQLite replays on the next open.
 */
final class SqliteCheckpointer {
  private static final Logger log = LoggerFactory.getLogger(SqliteCheckpointer.class);

  /**
   * Log pages after which a connection that commits checkpoints itself (SQLite's default is 1,000),
   * set on every connection of the daemon: 64 MiB at 4 KiB pages, about the most the log grows to.
   */
  static final int BACKSTOP_PAGES = 16_384;

  /** How often an idle checkpointer looks at the log anyway (commits of other connections). */
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * Time between the starts of two checkpoints, at least, while the log is under half the backstop:
   * commits that come meanwhile share the next one. Each checkpoint syncs the database file, and
   * one per small commit made the syncs fight the writer's own for the disk (bench/RESULTS.md).
   * Past half the backstop they run back to back, so that little is left to copy when a committing
   * connection reaches the backstop and copies the rest itself before the log starts again.
   */
  private static final long SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final Connection connection;
  private final Thread thread;
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile boolean closed;
  private volatile long checkpoints;
  private volatile boolean caughtUp;
  private long logFrames;
  private String lastFailure;

  private SqliteCheckpointer(Connection connection) {
    this.connection = connection;
    this.thread = new Thread(this::loop, "vigil-sqlite-checkpointer");
    this.thread.setDaemon(true);
  }

  /** Starts checkpointing the file of {@code jdbcUrl} from a connection of its own. */
  static SqliteCheckpointer start(String jdbcUrl) throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl);
    try {
      c.setAutoCommit(true);
      SqliteCheckpointer cp = new SqliteCheckpointer(c);
      cp.thread.start();
      return cp;
    } catch (SQLException | RuntimeException | Error e) {
      try {
        c.close();
      } catch (SQLException | RuntimeException also) {
        e.addSuppressed(also);
      }
      throw e;
    }
  }

  /** Called by the writer after each commit: a checkpoint follows soon, never more than one. */
  void committed() {
    if (pending.compareAndSet(false, true)) {
      LockSupport.unpark(thread);
    }
  }

  /** Checkpoints run so far (tests, benchmarks). */
  long checkpoints() {
    return checkpoints;
  }

  /** Whether the last checkpoint copied every frame of the log into the database file. */
  boolean caughtUp() {
    return caughtUp;
  }

  /** Whether its thread is alive. */
  boolean running() {
    return thread.isAlive();
  }

  /**
   * Stops checkpointing for good, without waiting: the log may hold pages the kernel failed to
   * write (ADR 0146), and nothing must copy them into the database file.
   */
  void halt() {
    closed = true;
    LockSupport.unpark(thread);
  }

  /** Stops the thread after the checkpoint it is running, then closes its connection. */
  void close() throws InterruptedException {
    closed = true;
    LockSupport.unpark(thread);
    thread.join();
  }

  private void loop() {
    try (connection;
        Statement st = connection.createStatement()) {
      long last = System.nanoTime() - SPACING_NANOS;
      while (!closed) {
        if (!pending.get()) {
          LockSupport.parkNanos(this, IDLE_NANOS);
        }
        long spacing = logFrames > BACKSTOP_PAGES / 2 ? 0 : SPACING_NANOS;
        for (long wait = last + spacing - System.nanoTime();
            wait > 0 && !closed;
            wait = last + spacing - System.nanoTime()) {
          LockSupport.parkNanos(this, wait);
        }
        if (closed) {
          break;
        }
        pending.set(false);
        last = System.nanoTime();
        checkpoint(st);
      }
    } catch (SQLException e) {
      log.atWarn().log("store: closing the SQLite checkpointer's connection: " + e.getMessage());
    }
  }

  private void checkpoint(Statement st) {
    // one row: busy (1 when it could not run), frames in the log, frames of them in the file
    try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
      boolean row = rs.next();
      logFrames = row ? rs.getLong(2) : 0;
      caughtUp = row && rs.getInt(1) == 0 && logFrames == rs.getLong(3);
      checkpoints++;
      if (lastFailure != null) {
        log.atInfo().log("store: SQLite checkpoints work again");
        lastFailure = null;
      }
    } catch (SQLException e) {
      // a full disk, say: the writer's backstop checkpoint tries again later; said once per cause
      if (!Objects.equals(lastFailure, e.getMessage())) {
        lastFailure = e.getMessage();
        log.atWarn()
            .log(
                "store: SQLite checkpoint failed ("
                    + e.getMessage()
                    + "); the log grows until one succeeds");
      }
    }
  }
}
