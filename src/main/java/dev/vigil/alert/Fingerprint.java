package dev.vigil.alert;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fingerprint Prometheus and Alertmanager give a label set: 64-bit FNV-1a over the sorted label
 * names and values, each followed by the byte 0xff, printed as 16 hex digits. Computing it the same
 * way means an alert posted without a fingerprint gets the one Alertmanager would have sent.
 */
public final class Fingerprint {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;
  private static final byte SEPARATOR = (byte) 0xff;

  private Fingerprint() {}

  public static String of(Map<String, String> labels) {
    long h = OFFSET;
    Map<String, String> sorted =
        labels instanceof SortedMap<String, String> s && s.comparator() == null
            ? labels
            : new TreeMap<>(labels);
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      h = add(h, e.getKey());
      h = add(h, e.getValue());
    }
    String hex = Long.toHexString(h);
    return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
  }

  /** Hex digits' values by character ('0'-'9', 'a'-'f'), -1 for any other ASCII character. */
  private static final byte[] DIGITS = new byte[128];

  static {
    Arrays.fill(DIGITS, (byte) -1);
    for (int c = '0'; c <= '9'; c++) {
      DIGITS[c] = (byte) (c - '0');
    }
    for (int c = 'a'; c <= 'f'; c++) {
      DIGITS[c] = (byte) (c - 'a' + 10);
    }
  }

  /**
   * The number a {@link #canonical} fingerprint spells, so that its numeric (unsigned) order is the
   * text's order.
   *
   * @throws IllegalArgumentException when {@code fingerprint} is not canonical
   */
  public static long bits(String fingerprint) {
    if (fingerprint.length() == 16) {
      long value = 0;
      int bad = 0;
      for (int i = 0; i < 16; i++) {
        int d = digit(fingerprint.charAt(i));
        bad |= d;
        value = value << 4 | (d & 0xf);
      }
      if (bad >= 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("not 16 lowercase hex digits: " + fingerprint);
  }

  /**
   * Whether {@code fingerprint} is 16 lowercase hex digits, as Alertmanager and {@link #of} write
   * it.
   */
  public static boolean canonical(String fingerprint) {
    if (fingerprint.length() != 16) {
      return false;
    }
    int bad = 0;
    for (int i = 0; i < 16; i++) {
      bad |= digit(fingerprint.charAt(i));
    }
    return bad >= 0;
  }

  /**
   * Where {@code text} has a surrogate that is not half of a pair (which UTF-8 cannot carry), or
   * -1.
   */
  public static int loneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Any fingerprint as 64 bits, for tables keyed by numbers: a {@link #canonical} one as the number
   * it spells ({@link #bits}), any other text FNV-1a hashed over its characters. Two texts can
   * share their bits; whoever keys by them must check the text. Never change it: SQLite's {@code
   * alert_keys} stores these numbers (ADR 0155).
   */
  public static long key(String fingerprint) {
    if (canonical(fingerprint)) {
      return bits(fingerprint);
    }
    long h = OFFSET;
    for (int i = 0; i < fingerprint.length(); i++) {
      h = (h ^ fingerprint.charAt(i)) * PRIME;
    }
    return h;
  }

  /** The value of the hex digit {@code c}, or -1. */
  private static int digit(char c) {
    return c < 128 ? DIGITS[c] : -1;
  }

  /** Hashes the UTF-8 bytes of {@code s}, then the separator. */
  private static long add(long h, String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) { // not ASCII: hash the rest from its UTF-8 encoding
        for (byte b : s.substring(i).getBytes(StandardCharsets.UTF_8)) {
          h = (h ^ (b & 0xff)) * PRIME;
        }
        break;
      }
      h = (h ^ c) * PRIME;
    }
    return (h ^ (SEPARATOR & 0xff)) * PRIME;
  }
}
