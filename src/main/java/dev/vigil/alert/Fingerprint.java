package dev.vigil.alert;

import java.nio.charset.StandardCharsets;
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

  /**
   * The number a {@link #canonical} fingerprint spells, so that its numeric (unsigned) order is the
   * text's order.
   *
   * @throws IllegalArgumentException when {@code fingerprint} is not canonical
   */
  public static long bits(String fingerprint) {
    if (!canonical(fingerprint)) {
      throw new IllegalArgumentException("not 16 lowercase hex digits: " + fingerprint);
    }
    return Long.parseUnsignedLong(fingerprint, 16);
  }

  /**
   * Whether {@code fingerprint} is 16 lowercase hex digits, as Alertmanager and {@link #of} write
   * it.
   */
  public static boolean canonical(String fingerprint) {
    if (fingerprint.length() != 16) {
      return false;
    }
    for (int i = 0; i < 16; i++) {
      char c = fingerprint.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
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
