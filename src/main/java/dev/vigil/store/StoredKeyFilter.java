package dev.vigil.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link KeyFilter} of {@code alert_keys}, the disk level of {@link AlertKeys} (ADR 0153): when
 * it says a fingerprint is not there, a new alert's lookup skips the table.
 *
 * <p>Whenever a filter is in use, every fingerprint with a row in {@code alert_keys} is in it. A
 * build begins with a task on the writer thread between transactions ({@link
 * SqliteWriter#onThread}), once every transaction queued before it has committed. There a log of
 * the keys merged from then on begins, and a thread of its own starts to read {@code alert_keys} on
 * another connection, in short statements in the order of the fingerprints' bits, each with its own
 * snapshot, all taken after that point. A key committed before it is in the snapshots; a key merged
 * after it is in the log; nothing ever deletes from the table. The filter read then takes the log's
 * keys, on the writer, and replaces the one in use, which took every merge meanwhile and stayed in
 * use until then.
 *
 * <p>The filter, the log and the lookups belong to the writer thread; the reading thread touches
 * only its own filter and the flags.
 */
final class StoredKeyFilter {
  private static final Logger log = LoggerFactory.getLogger(StoredKeyFilter.class);

  /** Rows per statement of the reader: each a short read, so that checkpoints are not held back. */
  static final int CHUNK = 65_536;

  /** The least a filter is built for: 1 Mi keys, 1.25 MiB of heap. */
  static final long LEAST = 1 << 20;

  private final SqliteWriter writer;
  private final String jdbcUrl;
  private volatile long least = LEAST;
  private volatile int chunk = CHUNK;
  private volatile Runnable betweenChunks = () -> {};

  // the writer thread's
  private volatile KeyFilter filter;
  private long[] merged;
  private int mergedSize;
  private volatile boolean tooLarge;
  private long lookups;

  private final AtomicBoolean building = new AtomicBoolean();
  private volatile boolean closed;
  private volatile Thread reader;
  private volatile long built;

  StoredKeyFilter(SqliteWriter writer, String jdbcUrl) {
    this.writer = writer;
    this.jdbcUrl = jdbcUrl;
  }

  /** A smaller least filter, for tests that watch one fill and be built again. */
  void least(long keys) {
    this.least = keys;
  }

  /** Smaller reads, and a hook between them, for tests that watch a read go on in pieces. */
  void chunks(int rows, Runnable between) {
    this.chunk = rows;
    this.betweenChunks = between;
  }

  /** Whether a filter is in use (tests). */
  boolean ready() {
    return filter != null;
  }

  /** Whether a filter was found past its bound, so that none is built from now on (tests). */
  boolean bounded() {
    return tooLarge;
  }

  /** Whether a build is under way, from its start until its hand-over (tests). */
  boolean building() {
    return building.get();
  }

  /** Whether the writer's stop has begun to end a reader (tests). */
  boolean closing() {
    return closed;
  }

  /** Filters read and put in use since start (tests). */
  long built() {
    return built;
  }

  /** Fingerprints looked up on disk since start (tests; read after the writer's work is done). */
  long lookups() {
    return lookups;
  }

  /**
   * Whether {@code alert_keys} may hold a fingerprint with the bits {@code fp} ({@link
   * AlertKeys#bits}): false only when the filter in use says it does not. The table holds the bits
   * themselves (ADR 0155). On the writer thread.
   */
  boolean mayHold(long fp) {
    KeyFilter f = filter;
    if (f != null && !f.mightContain(fp)) {
      return false;
    }
    lookups++;
    return true;
  }

  /** A merge slice's keys, in its transaction, on the writer thread. */
  void merged(long[] bits) {
    KeyFilter f = filter;
    if (f != null) {
      for (long b : bits) {
        f.add(b);
      }
    }
    if (merged != null) {
      if (mergedSize + bits.length > merged.length) {
        merged = Arrays.copyOf(merged, Math.max(merged.length * 2, mergedSize + bits.length));
      }
      System.arraycopy(bits, 0, merged, mergedSize, bits.length);
      mergedSize += bits.length;
    }
  }

  /**
   * At the end of a merge cycle, on the writer thread: builds a filter when there is none (a build
   * that failed is tried again here) or the one in use holds more keys than it was made for.
   */
  void cycleEnded(int mergeAt) {
    if (!tooLarge && !building.get() && (filter == null || filter.full())) {
      build(mergeAt);
    }
  }

  /**
   * Builds a filter for twice the keys on disk and a merge cycle's worth ({@code 2 × (highest alert
   * id merged + mergeAt)}), at least {@link #least}, unless one is being built. One that would take
   * more than a twentieth of the heap (or more than {@link KeyFilter#MAX_CAPACITY} keys) is not
   * built, then or later: the one in use, if any, stays (more false positives as the store grows);
   * with none, every new alert is looked up on disk.
   */
  void build(int mergeAt) {
    if (closed || !building.compareAndSet(false, true)) {
      return;
    }
    // on the writer between transactions, once every one queued before has committed: from here on
    // merged keys are logged, and the reader's snapshots come after this point
    if (!writer.onThread(() -> startReading(mergeAt))) {
      building.set(false);
    }
  }

  private void startReading(int mergeAt) {
    if (closed) {
      building.set(false);
      return;
    }
    Thread t;
    try {
      merged = new long[1024];
      mergedSize = 0;
      t = new Thread(() -> read(mergeAt), "vigil-sqlite-key-filter");
      t.setDaemon(true);
      t.start();
    } catch (RuntimeException | Error e) {
      merged = null;
      building.set(false);
      throw e;
    }
    reader = t;
  }

  /** On the reading thread: every fingerprint on disk into a new filter, then hands it over. */
  private void read(int mergeAt) {
    long started = System.nanoTime();
    KeyFilter read = null;
    long capacity = 0;
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      capacity = Math.max(least, 2 * (highestMerged(c) + mergeAt));
      long limit = Math.min(KeyFilter.MAX_CAPACITY, Runtime.getRuntime().maxMemory() / 20 * 8 / 10);
      if (capacity <= limit) {
        read = new KeyFilter(capacity);
        readInto(c, read);
      }
    } catch (SQLException | RuntimeException | Error e) {
      log.atWarn()
          .setCause(e)
          .log(
              "store: the stored alert keys could not be read into a filter; the end of the next"
                  + " merge cycle tries again");
      handOver(null, false, 0);
      if (e instanceof VirtualMachineError vm) {
        throw vm;
      }
      return;
    }
    if (read == null) {
      log.atWarn()
          .log(
              "store: a filter of the stored alert keys would need "
                  + KeyFilter.bytes(capacity) / (1 << 20)
                  + " MiB, more than its bound (a twentieth of the heap, 160 MiB at most); none is"
                  + " built larger, so new alerts are looked up on disk more often");
      handOver(null, true, 0);
    } else if (!closed) {
      handOver(read, false, started);
    }
  }

  /** The highest alert id merged into {@code alert_keys}: at least the keys it holds. */
  private static long highestMerged(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT value FROM store_marks WHERE name = ?")) {
      ps.setString(1, AlertKeys.MARK);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /**
   * Every fingerprint in {@code alert_keys} (as its bits), in statements of {@link #chunk} rows,
   * into {@code f}.
   */
  private void readInto(Connection c, KeyFilter f) throws SQLException {
    try (PreparedStatement first =
            c.prepareStatement("SELECT fp FROM alert_keys ORDER BY fp LIMIT ?");
        PreparedStatement next =
            c.prepareStatement("SELECT fp FROM alert_keys WHERE fp > ? ORDER BY fp LIMIT ?")) {
      boolean any = false;
      long last = 0;
      int rows = chunk;
      while (rows == chunk && !closed) {
        if (any) {
          betweenChunks.run();
        }
        PreparedStatement ps = any ? next : first;
        int p = 1;
        if (any) {
          ps.setLong(p++, last);
        }
        ps.setInt(p, chunk);
        rows = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            long fp = rs.getLong(1);
            if (!any || fp != last) {
              f.add(fp);
              last = fp;
              any = true;
            }
          }
        }
      }
    }
  }

  /**
   * Queues on the writer: {@code read} (null: none) takes the keys merged meanwhile and is used;
   * {@code tooLarge}: no filter from now on.
   */
  private void handOver(KeyFilter read, boolean tooLarge, long started) {
    boolean queued =
        writer.onThread(
            () -> {
              if (read != null) {
                for (int i = 0; i < mergedSize; i++) {
                  read.add(merged[i]);
                }
                filter = read;
                built++;
                log.atInfo().log(
                    "store: "
                        + read.added()
                        + " stored alert fingerprints read into the filter in "
                        + (System.nanoTime() - started) / 1_000_000
                        + " ms");
              } else if (tooLarge) {
                // no larger one is built: one in use holds every stored key still, with more false
                // positives as the store grows
                this.tooLarge = true;
              }
              merged = null;
              mergedSize = 0;
              building.set(false);
            });
    if (!queued) {
      building.set(false);
    }
  }

  /** Stops a reader and waits for it (its connection closed), on the writer thread at its stop. */
  void close() throws InterruptedException {
    closed = true;
    Thread t = reader;
    if (t != null) {
      t.join();
    }
  }
}
