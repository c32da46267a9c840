package dev.vigil.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The committer's memory of what it stored: a bounded map from key to value that forgets a value
 * {@code ttlNanos} after it was put. One thread puts; any thread gets.
 *
 * <p>It is two generations of plain concurrent maps. Puts go to the young one; when it holds {@code
 * generation} entries it becomes the old one and the old one is dropped whole. So at most {@code 2
 * × generation} entries are held, the newest {@code generation} always are, and forgetting costs
 * nothing per put. A cache with per-entry eviction (Caffeine) spent more time on the event loop
 * evicting than looking up once full, which it is in every storm. A get that misses while the
 * generations turn only sends that alert to the store, which is always correct.
 */
final class RepeatMemory<V> {
  private record Entry<V>(V value, long putAt) {}

  private final int generation;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private volatile Map<String, Entry<V>> young = new ConcurrentHashMap<>();
  private volatile Map<String, Entry<V>> old = Map.of();

  /**
   * @param generation entries before the young generation turns old
   * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime})
   */
  RepeatMemory(int generation, long ttlNanos, LongSupplier nanoTime) {
    if (generation < 1) {
      throw new IllegalArgumentException("generation must be at least 1, got " + generation);
    }
    this.generation = generation;
    this.ttlNanos = ttlNanos;
    this.nanoTime = nanoTime;
  }

  /** The value put for {@code key} less than the time to live ago; null otherwise. */
  V get(String key) {
    Entry<V> e = young.get(key);
    if (e == null) {
      e = old.get(key);
    }
    return e == null || nanoTime.getAsLong() - e.putAt >= ttlNanos ? null : e.value;
  }

  /** Remembers {@code value} for {@code key} from now. Called by one thread only. */
  void put(String key, V value) {
    Map<String, Entry<V>> y = young;
    if (y.size() >= generation && !y.containsKey(key)) {
      old = y;
      y = new ConcurrentHashMap<>();
      young = y;
    }
    y.put(key, new Entry<>(value, nanoTime.getAsLong()));
  }

  /** Entries held, in both generations (some may have outlived their time to live). */
  int size() {
    return young.size() + old.size();
  }
}
