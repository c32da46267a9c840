package dev.vigil.store;

import dev.vigil.alert.Fingerprint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite's index of alerts by fingerprint, {@code fingerprint -> alert ids}, in two levels (ADR
 * 0144): the keys committed lately in memory, the rest in the table {@code alert_keys}, and the two
 * merged in the background in the order of the fingerprints' bits. A new alert so costs its rows at
 * the end of {@code alerts}, not a random leaf of a fingerprint index: that leaf, written to the
 * log and then to the file, was most of what a new alert cost (bench/RESULTS.md).
 *
 * <p>Every committed alert is in {@code alert_keys} or in memory, never in neither. A transaction's
 * new keys ({@link #stage}) are seen by its later pieces; the writer keeps them at its commit
 * ({@link #committed}) and takes them back when a piece or the transaction rolls back ({@link
 * #rollBack}), so between transactions memory holds committed keys only. A merge cycle sets the
 * keys in memory aside (new keys go to a fresh level), copies them to the table in slices of {@link
 * #SLICE} keys in the table's order, each in the writer's queue like any other work, and drops them
 * once the last slice is committed; that slice records the highest alert id the cycle covers in
 * {@code store_marks}. At start ({@link #catchUp}) every alert above that mark is copied again
 * ({@code INSERT OR IGNORE}), so a crash at any point loses no key and memory starts empty.
 *
 * <p>Memory and the table hold numbers only (ADR 0145, ADR 0155): a fingerprint as 64 bits
 * (Alertmanager's 16 hex digits read as they are, any other text hashed) and the alert's row id, in
 * arrays, and as the table's two integer columns. A key per alert as objects (strings, a record, a
 * map entry; some 190 bytes) outlived every young collection and was most of what each one copied,
 * which made its pauses the ingest's p99; a key of two texts in the table cost twice the CPU of two
 * numbers to merge, in 2.7 times the pages (bench/RESULTS.md). Two fingerprints that share 64 bits
 * only make ingest read one row more: it reads candidates by id and keeps those whose fingerprint
 * it asked for.
 *
 * <p>A new fingerprint (most of a storm's, all of a new group's) is surely not on disk when the
 * {@link StoredKeyFilter} says so, and its lookup skips the table (ADR 0153).
 *
 * <p>Used on the writer thread only, except {@link #buildFilter}, which only queues a task (a
 * cycle's sort and its slices' rows are made on the common pool, from the level set aside, which no
 * longer changes; the filter reads {@code alert_keys} on a thread of its own); not thread-safe. One
 * process per SQLite file (docs/ha.md): another process would not see this one's keys in memory.
 */
final class AlertKeys {
  private static final Logger log = LoggerFactory.getLogger(AlertKeys.class);

  /**
   * Keys in memory at which a merge cycle starts. Once {@code alert_keys} has more leaves than a
   * cycle has keys, a cycle touches nearly every leaf: the fewer cycles, the less is written (ADR
   * 0146, bench/RESULTS.md: 262,144 instead of 131,072 took a grown store from 74–78k to 83k
   * alerts/s).
   */
  static final int MERGE_AT = 262_144;

  /** Keys per merge transaction. */
  static final int SLICE = 4_096;

  static final String MARK = "alert_keys_through";

  /** One new alert's fingerprint and row id. */
  record Key(String fingerprint, long id) {}

  private final SqliteWriter writer;
  private final StoredKeyFilter onDisk;
  private volatile int mergeAt = MERGE_AT;
  private volatile int slice = SLICE;

  /** Keys not in {@code alert_keys} yet; its last {@link #staged} are the running transaction's. */
  private Level current = new Level();

  /** The keys a merge cycle is copying to {@code alert_keys}; null between cycles. */
  private Level merging;

  /** Keys in {@link #current} committed before the running transaction. */
  private int committedSize;

  private volatile int size;

  /** Set where a slice's failure is reported; read and cleared on the writer thread. */
  private volatile boolean cycleFailed;

  private volatile long merges;

  AlertKeys(SqliteWriter writer, String jdbcUrl) {
    this.writer = writer;
    this.onDisk = new StoredKeyFilter(writer, jdbcUrl);
  }

  /** Smaller limits, for tests that watch merges happen. */
  void limits(int mergeAt, int slice) {
    this.mergeAt = mergeAt;
    this.slice = slice;
  }

  /** The filter of the disk level (tests). */
  StoredKeyFilter onDisk() {
    return onDisk;
  }

  /** Keys in memory (tests, metrics). */
  int inMemory() {
    return size;
  }

  /** Merge cycles completed since start (tests). */
  long merges() {
    return merges;
  }

  /**
   * Copies to {@code alert_keys} every alert above the mark, then moves the mark to the highest
   * alert id: the keys a stop left in memory. First moves the keys of a store from before V16 (ADR
   * 0155). Runs once, in one transaction, before any ingest.
   */
  static void catchUp(SqliteWriter.Tx tx) throws SQLException {
    moveTextKeys(tx);
    PreparedStatement read =
        tx.prepare(
            "SELECT id, fingerprint FROM alerts"
                + " WHERE id > (SELECT value FROM store_marks WHERE name = ?) ORDER BY id");
    read.setString(1, MARK);
    int copied = copy(tx, read);
    PreparedStatement mark =
        tx.prepare(
            "UPDATE store_marks SET value = (SELECT COALESCE(MAX(id), 0) FROM alerts) WHERE name = ?");
    mark.setString(1, MARK);
    mark.executeUpdate();
    if (copied > 0) {
      log.atInfo().log(
          "store: " + copied + " alert keys left in memory at the last stop are merged");
    }
  }

  /**
   * The keys of a store from before V16, whose {@code alert_keys} held texts: V16 renamed that
   * table to {@code alert_keys_v15}, since SQL cannot compute a fingerprint's bits. Its rows are
   * copied as numbers and the table dropped, in the caller's transaction: a crash leaves it to the
   * next start.
   */
  private static void moveTextKeys(SqliteWriter.Tx tx) throws SQLException {
    // one-off statements, not kept in the writer's cache: one names a table that goes
    Connection c = tx.connection();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'alert_keys_v15'")) {
      if (!rs.next()) {
        return;
      }
    }
    int moved;
    try (PreparedStatement read =
        c.prepareStatement("SELECT alert_id, fingerprint FROM alert_keys_v15")) {
      moved = copy(tx, read);
    }
    try (Statement st = c.createStatement()) {
      st.executeUpdate("DROP TABLE alert_keys_v15");
    }
    if (moved > 0) {
      log.atInfo().log("store: " + moved + " alert keys moved to the table of numbers (V16)");
    }
  }

  /**
   * Copies the rows {@code (alert id, fingerprint)} that {@code read} yields to {@code alert_keys},
   * in the table's order (a quarter of a million keys or more in random order would each take a
   * leaf of their own), and returns how many it added.
   */
  private static int copy(SqliteWriter.Tx tx, PreparedStatement read) throws SQLException {
    long[] fps = new long[1024];
    long[] ids = new long[1024];
    int size = 0;
    try (ResultSet rs = read.executeQuery()) {
      for (; rs.next(); size++) {
        if (size == fps.length) {
          fps = Arrays.copyOf(fps, size * 2);
          ids = Arrays.copyOf(ids, size * 2);
        }
        fps[size] = bits(rs.getString(2));
        ids[size] = rs.getLong(1);
      }
    }
    int[] order = inOrder(fps, size);
    long[] sortedFps = new long[size];
    long[] sortedIds = new long[size];
    for (int i = 0; i < size; i++) {
      sortedFps[i] = fps[order[i]];
      sortedIds[i] = ids[order[i]];
    }
    return insert(tx, sortedFps, sortedIds, size);
  }

  /**
   * Inserts the keys {@code (fps[i], ids[i])} for {@code i < size}, in that order, into {@code
   * alert_keys} (a key already there is left as it is), and returns how many it added.
   */
  private static int insert(SqliteWriter.Tx tx, long[] fps, long[] ids, int size)
      throws SQLException {
    PreparedStatement insert =
        tx.prepare("INSERT OR IGNORE INTO alert_keys (fp, alert_id) VALUES (?, ?)");
    int added = 0;
    for (int i = 0; i < size; i++) {
      insert.setLong(1, fps[i]);
      insert.setLong(2, ids[i]);
      insert.addBatch();
      if (i % 10_000 == 9_999 || i == size - 1) {
        for (int n : insert.executeBatch()) {
          added += Math.max(0, n); // 0 for a key already there
        }
      }
    }
    return added;
  }

  /**
   * The ids of the alerts whose fingerprint has the bits {@code fp} ({@link #bits}) that the disk
   * level may not hold: those in memory, the running transaction's own included (and, rarely,
   * another fingerprint's that shares its 64 bits).
   */
  void find(long fp, List<Long> out) {
    current.find(fp, out);
    if (merging != null) {
      merging.find(fp, out);
    }
  }

  /**
   * Whether {@code alert_keys} may hold a fingerprint with the bits {@code fp} ({@link
   * StoredKeyFilter}).
   */
  boolean mayBeOnDisk(long fp) {
    return onDisk.mayHold(fp);
  }

  /** Builds the filter of the disk level in the background (at start). */
  void buildFilter() {
    onDisk.build(mergeAt);
  }

  /** Stops the filter's reader, at the writer's stop. */
  void close() throws InterruptedException {
    onDisk.close();
  }

  /** Keys the running transaction has just written: seen by its later pieces. */
  void stage(List<Key> keys) {
    for (Key k : keys) {
      current.add(bits(k.fingerprint()), k.id());
    }
    sized();
  }

  /** How many keys the running transaction has staged so far (a piece's savepoint). */
  int staged() {
    return current.size - committedSize;
  }

  /**
   * The running transaction rolled back to a point where it had staged {@code keys} keys (0: all of
   * it): those staged since go.
   */
  void rollBack(int keys) {
    current.truncate(committedSize + keys);
    sized();
  }

  /**
   * The running transaction has committed (the writer calls this before the pieces' own callbacks
   * and before the next transaction begins): what it staged stays, and a merge cycle starts if
   * memory is full.
   */
  void committed() {
    committedSize = current.size;
    maybeMerge();
  }

  private void sized() {
    size = current.size + (merging == null ? 0 : merging.size);
  }

  /**
   * A fingerprint as 64 bits, as {@code alert_keys} holds it: Alertmanager's 16 lowercase hex
   * digits as the number they spell, any other text hashed ({@link Fingerprint#key}).
   */
  static long bits(String fingerprint) {
    return Fingerprint.key(fingerprint);
  }

  private void maybeMerge() {
    if (cycleFailed) {
      // a slice failed (this runs on the writer thread, after a later commit): the cycle starts
      // over with the same keys (INSERT OR IGNORE makes the slices done already cost little)
      cycleFailed = false;
      if (merging != null) {
        merge(merging);
        return;
      }
    }
    if (merging != null || current.size < mergeAt) {
      return;
    }
    merging = current;
    current = new Level();
    committedSize = 0;
    merge(merging);
  }

  /** Copies {@code level} to the disk level, sorted, in slices; then drops it from memory. */
  private void merge(Level level) {
    // sorting 262,144 keys takes milliseconds, and each slice's rows are made as it goes: not on
    // the writer's thread (the level no longer changes)
    offWriter(() -> mergeSlice(level, level.inFingerprintOrder(), level.highestId(), 0));
  }

  /**
   * Runs a step of a cycle on the common pool; one that throws fails the cycle, which the next
   * commit starts over (a cycle that died silently would leave memory growing).
   */
  private void offWriter(Runnable step) {
    ForkJoinPool.commonPool()
        .execute(
            () -> {
              try {
                step.run();
              } catch (RuntimeException | Error e) { // an Error too, or no cycle would run again
                log.atError().setCause(e).log("store: merging alert keys failed");
                cycleFailed = true;
              }
            });
  }

  /**
   * Copies the keys {@code order[from...]} of {@code level} (one slice) to the disk level, then the
   * next slice. Runs off the writer's thread.
   */
  private void mergeSlice(Level level, int[] order, long through, int from) {
    int to = Math.min(order.length, from + slice);
    boolean last = to == order.length;
    long[] bits = new long[to - from];
    long[] ids = new long[to - from];
    for (int i = from; i < to; i++) {
      bits[i - from] = level.fps[order[i]];
      ids[i - from] = level.ids[order[i]];
    }
    writer
        .submit(
            tx -> {
              insert(tx, bits, ids, ids.length);
              // the filter takes them with the rows (a rollback leaves bits only: a false positive)
              onDisk.merged(bits);
              if (last) {
                // every alert up to the cycle's highest id is on disk: those below it that were in
                // memory were in this cycle, and later alerts have higher ids
                PreparedStatement mark =
                    tx.prepare("UPDATE store_marks SET value = ? WHERE name = ?");
                mark.setLong(1, through);
                mark.setString(2, MARK);
                mark.executeUpdate();
              }
              return to;
            },
            // on the writer thread, right after the slice's COMMIT (not after the log's sync, ADR
            // 0146): this class's state is the writer thread's alone. Dropping the level before the
            // sync is safe: a crash copies every key above the mark again at the next start.
            () -> {
              if (last) {
                merging = null;
                sized();
                merges++;
                onDisk.cycleEnded(mergeAt);
                maybeMerge();
              } else {
                offWriter(() -> mergeSlice(level, order, through, to));
              }
            },
            null)
        .onFailure(
            e -> {
              // the cycle's keys stay in memory; the next commit starts the cycle over (at a stop,
              // the next start merges them)
              if (!writer.closed()) {
                log.atWarn().log("store: merging alert keys failed: " + e.getMessage());
                cycleFailed = true;
              }
            });
  }

  /**
   * The indexes of {@code fps[0..size)}, ordered by the bits' high part (signed, as SQLite orders
   * {@code alert_keys}; close to its order is all a merge needs).
   */
  static int[] inOrder(long[] fps, int size) {
    // sort longs, not objects: the fingerprint's high bits above the entry's index. The index's
    // bits are cleared with a mask, so the sign bit stays and the order stays signed
    int indexBits = Math.max(1, 64 - Long.numberOfLeadingZeros(size));
    long low = (1L << indexBits) - 1;
    long[] sorted = new long[size];
    for (int e = 0; e < size; e++) {
      sorted[e] = (fps[e] & ~low) | e;
    }
    Arrays.sort(sorted);
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = (int) (sorted[i] & low);
    }
    return out;
  }

  /**
   * Keys in memory: a log of (fingerprint bits, alert id) in the order they were added, and an
   * open-addressing index from fingerprint bits to the newest entry, each entry linking to the one
   * before it with the same bits. Only the end of the log is ever taken back.
   */
  private static final class Level {
    private static final int FREE = -2;
    private static final int NONE = -1;

    long[] fps = new long[1024];
    long[] ids = new long[1024];
    int[] before = new int[1024];
    int size;

    /**
     * The index: slot i is {@code slots[2i]}, fingerprint bits, and {@code slots[2i + 1]}, its
     * newest entry (or {@link #NONE}, or {@link #FREE}); side by side, so that a probe touches one
     * cache line, not one in each of two arrays.
     */
    private long[] slots;

    private int slotsUsed;

    Level() {
      index(2048);
    }

    void add(long fp, long id) {
      if (size == fps.length) {
        fps = Arrays.copyOf(fps, size * 2);
        ids = Arrays.copyOf(ids, size * 2);
        before = Arrays.copyOf(before, size * 2);
      }
      if ((slotsUsed + 1) * 2 > slots.length >> 1) {
        index(slots.length);
      }
      fps[size] = fp;
      ids[size] = id;
      link(size);
      size++;
    }

    long highestId() {
      long max = 0;
      for (int e = 0; e < size; e++) {
        max = Math.max(max, ids[e]);
      }
      return max;
    }

    void find(long fp, List<Long> out) {
      for (int e = newest(slot(fp)); e >= 0; e = before[e]) {
        out.add(ids[e]);
      }
    }

    /**
     * Takes back the entries from {@code n} on, newest first. Their slots stay taken (with no entry
     * or an older one): a slot is never freed, so no probe is cut short.
     */
    void truncate(int n) {
      for (int e = size - 1; e >= n; e--) {
        slots[slot(fps[e]) + 1] = before[e];
      }
      size = Math.min(size, n);
    }

    /** The entries, in about the table's order ({@link #inOrder}). */
    int[] inFingerprintOrder() {
      return inOrder(fps, size);
    }

    private void link(int e) {
      int slot = slot(fps[e]);
      if (slots[slot + 1] == FREE) {
        slots[slot] = fps[e];
        slots[slot + 1] = NONE;
        slotsUsed++;
      }
      before[e] = newest(slot);
      slots[slot + 1] = e;
    }

    /** The newest entry of the slot at {@code slot}, or none (negative). */
    private int newest(int slot) {
      long newest = slots[slot + 1];
      return newest == FREE ? NONE : (int) newest;
    }

    /**
     * Where the slot of {@code fp} starts in {@link #slots}: the one that holds it, or the free one
     * where it would go.
     */
    private int slot(long fp) {
      int mask = (slots.length >> 1) - 1;
      int s = (int) ((fp * 0x9E3779B97F4A7C15L) >>> 40) & mask;
      while (slots[2 * s + 1] != FREE && slots[2 * s] != fp) {
        s = (s + 1) & mask;
      }
      return 2 * s;
    }

    private void index(int count) {
      slots = new long[2 * count];
      for (int i = 1; i < slots.length; i += 2) {
        slots[i] = FREE;
      }
      slotsUsed = 0;
      for (int e = 0; e < size; e++) {
        link(e);
      }
    }
  }
}
