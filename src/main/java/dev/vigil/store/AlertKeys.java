package dev.vigil.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite's identity of alerts, {@code (fingerprint, startsAt) -> alert id}, in two levels (ADR
 * 0144): the keys committed lately in memory, the rest in the table {@code alert_keys}, and the two
 * merged in the background in fingerprint order. A new alert so costs its rows at the end of {@code
 * alerts}, not a random leaf of a fingerprint index: that leaf, written to the log and then to the
 * file, was most of what a new alert cost (bench/RESULTS.md).
 *
 * <p>Every committed alert is in {@code alert_keys} or in memory, never in neither. A transaction's
 * new keys ({@link #stage}) are seen by its later pieces; the writer keeps them at its commit
 * ({@link #committed}) and takes them back when a piece or the transaction rolls back ({@link
 * #rollBack}), so between transactions memory holds committed keys only. A merge cycle copies the
 * keys in memory to the table in slices of {@link #SLICE} keys (sorted), each in the writer's queue
 * like any other work, and drops each slice from memory once it is committed; the last slice
 * records the highest alert id it covers in {@code store_marks}. At start ({@link #catchUp}) every
 * alert above that mark is copied again ({@code INSERT OR IGNORE}), so a crash at any point loses
 * no key and memory starts empty.
 *
 * <p>Used on the writer thread only (a cycle's sort runs elsewhere, on its own copy); not
 * thread-safe. One process per SQLite file (docs/ha.md): another process would not see this one's
 * keys in memory.
 */
final class AlertKeys {
  private static final Logger log = LoggerFactory.getLogger(AlertKeys.class);

  /** Keys in memory at which a merge cycle starts. */
  static final int MERGE_AT = 131_072;

  /** Keys per merge transaction. */
  static final int SLICE = 4_096;

  static final String MARK = "alert_keys_through";

  /** One alert's identity and row id. */
  record Key(String fingerprint, String startsAt, long id) {}

  /** Fingerprint, then start: the order of {@code alert_keys}' primary key. */
  private static final Comparator<Key> ORDER =
      (x, y) -> {
        int c = x.fingerprint().compareTo(y.fingerprint());
        return c != 0 ? c : x.startsAt().compareTo(y.startsAt());
      };

  private final SqliteWriter writer;
  private volatile int mergeAt = MERGE_AT;
  private volatile int slice = SLICE;

  /**
   * Keys not in {@code alert_keys} yet (some may be, while a cycle runs), by fingerprint: a {@link
   * Key}, or a {@code Key[]} for the rare fingerprint with several starts. It holds the keys of the
   * transaction running as well, listed in {@link #staged}.
   */
  private final Map<String, Object> recent = new HashMap<>();

  private volatile int size;

  /** The keys in {@link #recent} that the transaction running wrote, not committed yet. */
  private final List<Key> staged = new ArrayList<>();

  private boolean merging;

  /** Set where a slice's failure is reported; read and cleared on the writer thread. */
  private volatile boolean cycleFailed;

  private volatile long merges;

  AlertKeys(SqliteWriter writer) {
    this.writer = writer;
  }

  /** Smaller limits, for tests that watch merges happen. */
  void limits(int mergeAt, int slice) {
    this.mergeAt = mergeAt;
    this.slice = slice;
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
   * alert id: the keys a stop left in memory. Runs once, before any ingest.
   */
  static void catchUp(SqliteWriter.Tx tx) throws SQLException {
    PreparedStatement copy =
        tx.prepare(
            "INSERT OR IGNORE INTO alert_keys (fingerprint, starts_at, alert_id) "
                + "SELECT fingerprint, starts_at, id FROM alerts "
                + "WHERE id > (SELECT value FROM store_marks WHERE name = ?) "
                + "ORDER BY fingerprint, starts_at");
    copy.setString(1, MARK);
    int copied = copy.executeUpdate();
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
   * The ids of the alerts with {@code fingerprint} that the disk level may not hold: those in
   * memory, the running transaction's own included.
   */
  void find(String fingerprint, List<Long> out) {
    Object v = recent.get(fingerprint);
    if (v instanceof Key k) {
      out.add(k.id());
    } else if (v != null) {
      for (Key k : (Key[]) v) {
        out.add(k.id());
      }
    }
  }

  /** Keys the running transaction has just written: seen by its later pieces. */
  void stage(List<Key> keys) {
    for (Key k : keys) {
      recent.merge(k.fingerprint(), k, AlertKeys::with);
      staged.add(k);
    }
    size += keys.size();
  }

  /** How many keys the running transaction has staged so far (a piece's savepoint). */
  int staged() {
    return staged.size();
  }

  /**
   * The running transaction rolled back to a point where it had staged {@code keys} keys (0: all of
   * it): those staged since go.
   */
  void rollBack(int keys) {
    List<Key> since = staged.subList(keys, staged.size());
    remove(since, 0, since.size());
    since.clear();
  }

  /**
   * The running transaction has committed (the writer calls this before the pieces' own callbacks
   * and before the next transaction begins): what it staged stays, and a merge cycle starts if
   * memory is full.
   */
  void committed() {
    staged.clear();
    maybeMerge();
  }

  /** Removes {@code keys[from, to)} from memory (those still there). */
  private void remove(List<Key> keys, int from, int to) {
    for (int i = from; i < to; i++) {
      Key k = keys.get(i);
      Object v = recent.get(k.fingerprint());
      if (v == k) {
        recent.remove(k.fingerprint());
        size--;
      } else if (v instanceof Key[] several) {
        Key[] rest = Arrays.stream(several).filter(x -> x != k).toArray(Key[]::new);
        if (rest.length < several.length) {
          size--;
          recent.put(k.fingerprint(), rest.length == 1 ? rest[0] : rest);
        }
      }
    }
  }

  private static Object with(Object v, Object k) {
    Key[] several = v instanceof Key one ? new Key[] {one} : (Key[]) v;
    Key[] more = Arrays.copyOf(several, several.length + 1);
    more[several.length] = (Key) k;
    return more;
  }

  private void maybeMerge() {
    if (cycleFailed) {
      // a slice failed (this runs on the writer thread, after a later commit): start over
      cycleFailed = false;
      merging = false;
    }
    if (merging || size < mergeAt) {
      return;
    }
    merging = true;
    Key[] all = new Key[size];
    int i = 0;
    for (Object v : recent.values()) {
      if (v instanceof Key k) {
        all[i++] = k;
      } else {
        for (Key k : (Key[]) v) {
          all[i++] = k;
        }
      }
    }
    // sorting 131,072 keys takes tens of milliseconds: not on the writer's thread
    ForkJoinPool.commonPool()
        .execute(
            () -> {
              Arrays.sort(all, ORDER);
              long through = 0;
              for (Key k : all) {
                through = Math.max(through, k.id());
              }
              mergeSlice(all, 0, through);
            });
  }

  /** Copies {@code all[from...]} (one slice) to the disk level, then the next slice. */
  private void mergeSlice(Key[] all, int from, long through) {
    int to = Math.min(all.length, from + slice);
    boolean last = to == all.length;
    writer
        .submit(
            tx -> {
              PreparedStatement ps =
                  tx.prepare(
                      "INSERT OR IGNORE INTO alert_keys (fingerprint, starts_at, alert_id) VALUES (?, ?, ?)");
              for (int i = from; i < to; i++) {
                ps.setString(1, all[i].fingerprint());
                ps.setString(2, all[i].startsAt());
                ps.setLong(3, all[i].id());
                ps.addBatch();
              }
              ps.executeBatch();
              if (last) {
                PreparedStatement mark =
                    tx.prepare("UPDATE store_marks SET value = ? WHERE name = ?");
                mark.setLong(1, through);
                mark.setString(2, MARK);
                mark.executeUpdate();
              }
              return to;
            },
            done -> {
              remove(Arrays.asList(all), from, to);
              if (last) {
                merging = false;
                merges++;
                maybeMerge();
              } else {
                mergeSlice(all, to, through);
              }
            })
        .onFailure(
            e -> {
              // the slice's keys stay in memory; the next commit starts a new cycle (at a stop,
              // the next start merges them)
              if (!writer.closed()) {
                log.atWarn().log("store: merging alert keys failed: " + e.getMessage());
                cycleFailed = true;
              }
            });
  }
}
