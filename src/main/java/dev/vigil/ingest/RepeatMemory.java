package dev.vigil.ingest;

import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.incident.IncidentId;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The committer's memory of the alert occurrences it stored: {@code (fingerprint, startsAt)} to the
 * status and incident stored, each forgotten {@code ttlNanos} after it was put. One thread puts;
 * any thread gets.
 *
 * <p><b>Bounded in two generations.</b> Puts go to the young table; when it holds {@code
 * generation} entries it becomes the old one and the old one is dropped whole. So at most {@code 2
 * × generation} entries are held, the newest {@code generation} always are, and forgetting costs
 * nothing per put. (A cache with per-entry eviction, Caffeine, spent more of the event loop
 * evicting than looking up once full, which it is in every storm.)
 *
 * <p><b>Numbers in arrays, no object per entry.</b> An entry of strings and records outlived every
 * young collection and was copied by each (with the alert keys, most of what a young pause copied,
 * and so the ingest's p99; bench/RESULTS.md). Each table is one array of longs, which the collector
 * never copies. Only fingerprints written as Alertmanager writes them (16 lowercase hex digits, 64
 * bits exactly) and starts between 1970 and 2242 are remembered: any other alert goes to the store
 * every time, which is always correct.
 *
 * <p><b>Reads without locks.</b> Each slot has a version, odd while the one writer changes the slot
 * (a sequence lock): a reader that sees it odd, or changed by the time it has read the slot, takes
 * the occurrence as unknown, and does not look in the old table either (which may hold an older
 * value of it), so that the alert goes to the store. A reader never takes one slot's key with
 * another's value.
 */
final class RepeatMemory {
  /** An occurrence as last stored: its status and its incident (null when it has none). */
  record Known(AlertStatus status, IncidentId incident) {}

  private static final VarHandle VERSION = MethodHandles.arrayElementVarHandle(long[].class);

  private final int generation;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private volatile Table young;
  private volatile Table old;

  /**
   * @param generation entries before the young table turns old
   * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime})
   */
  RepeatMemory(int generation, long ttlNanos, LongSupplier nanoTime) {
    // at most 2^28 slots a table, so that its WIDTH longs a slot still fit in one array
    if (generation < 1 || generation > 1 << 27) {
      throw new IllegalArgumentException(
          "generation must be between 1 and " + (1 << 27) + ", got " + generation);
    }
    this.generation = generation;
    this.ttlNanos = ttlNanos;
    this.nanoTime = nanoTime;
    this.young = new Table(generation);
    this.old = new Table(1);
  }

  /** What was put for this occurrence less than the time to live ago; null otherwise. */
  Known get(String fingerprint, Instant startsAt) {
    if (!Fingerprint.canonical(fingerprint)) {
      return null;
    }
    long start = packed(startsAt);
    if (start < 0) {
      return null;
    }
    long fp = Fingerprint.bits(fingerprint);
    long now = nanoTime.getAsLong();
    Known k = young.get(fp, start, now, ttlNanos);
    // only when the young table surely has no entry is the old one asked: it may hold an older
    // value of an occurrence put again since
    if (k != ABSENT) {
      return k;
    }
    Known o = old.get(fp, start, now, ttlNanos);
    return o == ABSENT ? null : o;
  }

  /**
   * {@link Table#get}: the occurrence is surely not in the table. Never returned by {@link #get}.
   */
  private static final Known ABSENT = new Known(AlertStatus.FIRING, null);

  /** Remembers the occurrence as stored now. Called by one thread only. */
  void put(String fingerprint, Instant startsAt, AlertStatus status, IncidentId incident) {
    long start = packed(startsAt);
    if (!Fingerprint.canonical(fingerprint) || start < 0) {
      return;
    }
    long fp = Fingerprint.bits(fingerprint);
    Table y = young;
    int slot = y.slot(fp, start);
    if (!y.holds(slot)) {
      if (y.count >= generation) {
        old = y;
        y = new Table(generation);
        young = y;
        slot = y.slot(fp, start);
      }
      y.count++;
    }
    y.write(slot, fp, start, status, incident, nanoTime.getAsLong());
  }

  /**
   * Forgets the occurrence, in both tables: a later {@link #get} takes it as unknown (never as
   * absent, which would send it to the old table) until it is put again. By the thread that puts.
   */
  void forget(String fingerprint, Instant startsAt) {
    long start = packed(startsAt);
    if (!Fingerprint.canonical(fingerprint) || start < 0) {
      return;
    }
    long fp = Fingerprint.bits(fingerprint);
    for (Table t : new Table[] {young, old}) {
      int slot = t.slot(fp, start);
      if (t.holds(slot)) {
        t.forget(slot, fp, start);
      }
    }
  }

  /** Seconds since 1970 below 2^33 (the year 2242). */
  private static final long LAST_SECOND = (1L << 33) - 1;

  /**
   * {@code startsAt} in one long, seconds above nanoseconds; -1 for an instant before 1970 or after
   * 2242, which is never remembered (it goes to the store every time, which is always correct).
   */
  static long packed(Instant startsAt) {
    long seconds = startsAt.getEpochSecond();
    return seconds < 0 || seconds > LAST_SECOND ? -1 : seconds << 30 | startsAt.getNano();
  }

  /** Entries held, in both tables (some may have outlived their time to live). */
  int size() {
    return young.count + old.count;
  }

  /**
   * One generation: open addressing, at most half full, each slot's fields side by side in one
   * array ({@link #WIDTH} longs), so that a probe reads one or two cache lines, not one in each of
   * seven arrays. The tables are tens of megabytes and every new alert misses in both: as seven
   * arrays these lookups were a third of the event loops' time at 10 alerts per request (ADR 0150).
   */
  private static final class Table {
    /** Longs per slot: version, fingerprint, start, stored, put at. */
    private static final int WIDTH = 5;

    private static final int FP = 1;
    private static final int START = 2;
    private static final int STORED = 3;
    private static final int PUT_AT = 4;

    /** In {@code STORED}: the incident number (0: none) with this bit set when resolved. */
    private static final long RESOLVED = Long.MIN_VALUE;

    /** In {@code STORED}: the entry is forgotten (a tombstone), whatever its time. */
    private static final long FORGOTTEN = 1L << 62;

    /**
     * Per slot, at offset 0, the version: 0 never written, odd while being written, even otherwise.
     */
    private final long[] cells;

    private final int mask;

    /** Entries written; changed by the writer only. */
    int count;

    Table(int entries) {
      int slots = Integer.highestOneBit(Math.max(2, entries) * 2 - 1) * 2; // a power of two ≥ 2×
      cells = new long[slots * WIDTH];
      mask = slots - 1;
    }

    private int start(long fp, long start) {
      long h = fp ^ (start * 0x9E3779B97F4A7C15L);
      return ((int) ((h * 0xBF58476D1CE4E5B9L) >>> 33)) & mask;
    }

    /**
     * The writer's view: where the slot holding the occurrence starts in {@link #cells}, or where
     * the free one it would go to starts.
     */
    int slot(long fp, long start) {
      int c = start(fp, start) * WIDTH;
      while (cells[c] != 0 && !(cells[c + FP] == fp && cells[c + START] == start)) {
        c = c + WIDTH == cells.length ? 0 : c + WIDTH;
      }
      return c;
    }

    boolean holds(int c) {
      return cells[c] != 0;
    }

    void write(int c, long fp, long start, AlertStatus status, IncidentId incident, long now) {
      write(
          c,
          fp,
          start,
          (incident == null ? 0 : incident.number())
              | (status == AlertStatus.RESOLVED ? RESOLVED : 0),
          now);
    }

    /** Marks the entry at {@code c} forgotten: a reader that finds it takes it as unknown. */
    void forget(int c, long fp, long start) {
      write(c, fp, start, FORGOTTEN, 0);
    }

    private void write(int c, long fp, long start, long stored, long now) {
      long v = cells[c];
      long next = v + 2 == 0 ? 2 : v + 2; // even, and never 0 (never written) again
      VERSION.setOpaque(cells, c, v + 1); // odd: readers keep away
      VarHandle.storeStoreFence();
      cells[c + FP] = fp;
      cells[c + START] = start;
      cells[c + STORED] = stored;
      cells[c + PUT_AT] = now;
      VERSION.setRelease(cells, c, next);
    }

    /**
     * A reader's view, from any thread: the entry; {@link #ABSENT} when the table surely has none;
     * null when it cannot tell (a slot on the way was being written) or the entry has outlived its
     * time to live.
     */
    Known get(long fp, long start, long now, long ttl) {
      int c = start(fp, start) * WIDTH;
      for (int probes = 0; probes <= mask; probes++) {
        long before = (long) VERSION.getAcquire(cells, c);
        if (before == 0) {
          return ABSENT; // a free slot ends the probe: never put
        }
        if ((before & 1) != 0) {
          return null; // being written
        }
        boolean match = cells[c + FP] == fp && cells[c + START] == start;
        long stored = cells[c + STORED];
        long at = cells[c + PUT_AT];
        VarHandle.loadLoadFence();
        if ((long) VERSION.getOpaque(cells, c) != before) {
          return null; // changed while read
        }
        if (match) {
          if ((stored & FORGOTTEN) != 0 || now - at >= ttl) {
            return null;
          }
          long incident = stored & ~RESOLVED;
          return new Known(
              (stored & RESOLVED) != 0 ? AlertStatus.RESOLVED : AlertStatus.FIRING,
              incident == 0 ? null : new IncidentId(incident));
        }
        c = c + WIDTH == cells.length ? 0 : c + WIDTH;
      }
      return ABSENT;
    }
  }
}
