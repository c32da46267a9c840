package dev.vigil.alert;

import java.nio.charset.StandardCharsets;
import java.util.Map;
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
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      h = add(h, e.getKey().getBytes(StandardCharsets.UTF_8));
      h = add(h, e.getValue().getBytes(StandardCharsets.UTF_8));
    }
    String hex = Long.toHexString(h);
    return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
  }

  private static long add(long h, byte[] bytes) {
    for (byte b : bytes) {
      h ^= (b & 0xff);
      h *= PRIME;
    }
    h ^= (SEPARATOR & 0xff);
    h *= PRIME;
    return h;
  }
}
