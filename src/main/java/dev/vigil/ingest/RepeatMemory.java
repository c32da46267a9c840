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
 * and so the ingest's p99; bench/RESULTS.md). Each table is a few arrays, which the collector never
 * copies. Only fingerprints written as Alertmanager writes them (16 lowercase hex digits, 64 bits
 * exactly) are remembered: any other alert goes to the store every time, which is always correct.
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

  private static final VarHandle VERSION = MethodHandles.arrayElementVarHandle(int[].class);

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
    if (generation < 1 || generation > 1 << 28) {
      throw new IllegalArgumentException(
          "generation must be between 1 and " + (1 << 28) + ", got " + generation);
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
    long fp = Fingerprint.bits(fingerprint);
    long now = nanoTime.getAsLong();
    Known k = young.get(fp, startsAt, now, ttlNanos);
    // only when the young table surely has no entry is the old one asked: it may hold an older
    // value of an occurrence put again since
    if (k != ABSENT) {
      return k;
    }
    Known o = old.get(fp, startsAt, now, ttlNanos);
    return o == ABSENT ? null : o;
  }

  /**
   * {@link Table#get}: the occurrence is surely not in the table. Never returned by {@link #get}.
   */
  private static final Known ABSENT = new Known(AlertStatus.FIRING, null);

  /** Remembers the occurrence as stored now. Called by one thread only. */
  void put(String fingerprint, Instant startsAt, AlertStatus status, IncidentId incident) {
    if (!Fingerprint.canonical(fingerprint)) {
      return;
    }
    long fp = Fingerprint.bits(fingerprint);
    Table y = young;
    int slot = y.slot(fp, startsAt);
    if (!y.holds(slot)) {
      if (y.count >= generation) {
        old = y;
        y = new Table(generation);
        young = y;
        slot = y.slot(fp, startsAt);
      }
      y.count++;
    }
    y.write(slot, fp, startsAt, status, incident, nanoTime.getAsLong());
  }

  /** Entries held, in both tables (some may have outlived their time to live). */
  int size() {
    return young.count + old.count;
  }

  /** One generation: open addressing over parallel arrays, at most half full. */
  private static final class Table {
    private final long[] fps;
    private final long[] seconds;
    private final int[] nanos;
    private final long[] incidents; // 0: none (incident numbers start at 1)
    private final boolean[] resolved;
    private final long[] putAt;

    /** Per slot: 0 never written, odd while being written, even otherwise. */
    private final int[] versions;

    private final int mask;

    /** Entries written; changed by the writer only. */
    int count;

    Table(int entries) {
      int slots = Integer.highestOneBit(Math.max(2, entries) * 2 - 1) * 2; // a power of two ≥ 2×
      fps = new long[slots];
      seconds = new long[slots];
      nanos = new int[slots];
      incidents = new long[slots];
      resolved = new boolean[slots];
      putAt = new long[slots];
      versions = new int[slots];
      mask = slots - 1;
    }

    private int start(long fp, Instant startsAt) {
      long h = fp ^ (startsAt.getEpochSecond() * 0x9E3779B97F4A7C15L) ^ startsAt.getNano();
      return ((int) ((h * 0xBF58476D1CE4E5B9L) >>> 33)) & mask;
    }

    /** The writer's view: the slot holding the occurrence, or the free one where it would go. */
    int slot(long fp, Instant startsAt) {
      long sec = startsAt.getEpochSecond();
      int nano = startsAt.getNano();
      int s = start(fp, startsAt);
      while (versions[s] != 0 && !(fps[s] == fp && seconds[s] == sec && nanos[s] == nano)) {
        s = (s + 1) & mask;
      }
      return s;
    }

    boolean holds(int slot) {
      return versions[slot] != 0;
    }

    void write(
        int s, long fp, Instant startsAt, AlertStatus status, IncidentId incident, long now) {
      int v = versions[s];
      int next = v + 2 == 0 ? 2 : v + 2; // even, and never 0 (never written) again
      VERSION.setOpaque(versions, s, v + 1); // odd: readers keep away
      VarHandle.storeStoreFence();
      fps[s] = fp;
      seconds[s] = startsAt.getEpochSecond();
      nanos[s] = startsAt.getNano();
      incidents[s] = incident == null ? 0 : incident.number();
      resolved[s] = status == AlertStatus.RESOLVED;
      putAt[s] = now;
      VERSION.setRelease(versions, s, next);
    }

    /**
     * A reader's view, from any thread: the entry; {@link #ABSENT} when the table surely has none;
     * null when it cannot tell (a slot on the way was being written) or the entry has outlived its
     * time to live.
     */
    Known get(long fp, Instant startsAt, long now, long ttl) {
      long sec = startsAt.getEpochSecond();
      int nano = startsAt.getNano();
      for (int s = start(fp, startsAt), probes = 0; probes <= mask; s = (s + 1) & mask, probes++) {
        int before = (int) VERSION.getAcquire(versions, s);
        if (before == 0) {
          return ABSENT; // a free slot ends the probe: never put
        }
        if ((before & 1) != 0) {
          return null; // being written
        }
        boolean match = fps[s] == fp && seconds[s] == sec && nanos[s] == nano;
        long incident = incidents[s];
        boolean isResolved = resolved[s];
        long at = putAt[s];
        VarHandle.loadLoadFence();
        if ((int) VERSION.getOpaque(versions, s) != before) {
          return null; // changed while read
        }
        if (match) {
          if (now - at >= ttl) {
            return null;
          }
          return new Known(
              isResolved ? AlertStatus.RESOLVED : AlertStatus.FIRING,
              incident == 0 ? null : new IncidentId(incident));
        }
      }
      return ABSENT;
    }
  }
}
