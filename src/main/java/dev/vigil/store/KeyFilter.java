package dev.vigil.store;

/**
 * A Bloom filter of fingerprint bits ({@link AlertKeys#bits}): says for sure that a fingerprint has
 * no row in {@code alert_keys}, so that a new alert's lookup skips the disk (ADR 0153). 10 bits and
 * 7 probes per key: under 1 % false positives up to its capacity; past it, false positives rise and
 * its owner builds a larger one. Keys are only ever added: the table is never pruned.
 *
 * <p>Not thread-safe: the writer thread owns the filter in use, and a reader fills its own before
 * handing it over.
 */
final class KeyFilter {
  private static final int PROBES = 7;
  static final int BITS_PER_KEY = 10;

  /** The largest capacity (2^27 keys, 160 MiB): its bits must fit an int. */
  static final long MAX_CAPACITY = 1L << 27;

  private final long[] words;
  private final long bits;
  private final long capacity;
  private long added;

  /** A filter for {@code capacity} keys, 1 to {@link #MAX_CAPACITY}. */
  KeyFilter(long capacity) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "a filter holds 1 to " + MAX_CAPACITY + " keys, not " + capacity);
    }
    this.capacity = capacity;
    this.bits = capacity * BITS_PER_KEY;
    this.words = new long[(int) ((bits + 63) >>> 6)];
  }

  /** The heap a filter for {@code capacity} keys takes, in bytes. */
  static long bytes(long capacity) {
    return capacity * BITS_PER_KEY / 8;
  }

  /** Keys added, repeats counted: more than {@link #capacity} means it should be built larger. */
  long added() {
    return added;
  }

  boolean full() {
    return added > capacity;
  }

  void add(long key) {
    long h = mix(key);
    long step = mix(h) | 1;
    for (int i = 0; i < PROBES; i++) {
      long bit = bit(h);
      words[(int) (bit >>> 6)] |= 1L << bit;
      h += step;
    }
    added++;
  }

  /** False: {@code key} was never added. True: it may have been. */
  boolean mightContain(long key) {
    long h = mix(key);
    long step = mix(h) | 1;
    for (int i = 0; i < PROBES; i++) {
      long bit = bit(h);
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
      h += step;
    }
    return true;
  }

  /** The high 32 bits of {@code h} scaled to [0, bits): no division, no power of two. */
  private long bit(long h) {
    return ((h >>> 32) * bits) >>> 32;
  }

  /**
   * Spreads a key's bits over all 64 (SplitMix64's finalizer): Alertmanager's fingerprints are
   * hashes already, but a sender's own may not be.
   */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
