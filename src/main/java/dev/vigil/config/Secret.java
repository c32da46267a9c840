package dev.vigil.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A value that must never be printed: tokens, signing secrets, routing keys. {@link #toString()}
 * hides it, so a record holding one can be logged safely; {@link #reveal()} is the only way out.
 */
public final class Secret {
  /** Values shorter than this are not searched for in log lines: they would hide ordinary words. */
  public static final int REDACTED_FROM_LOGS_AT = 8;

  /**
   * Every secret value this process has read (long enough to search for), for the log encoder to
   * hide.
   */
  private static final Set<String> EVERY_VALUE = ConcurrentHashMap.newKeySet();

  private final String value;

  public Secret(String value) {
    this.value = value;
    if (value.length() >= REDACTED_FROM_LOGS_AT) {
      EVERY_VALUE.add(value);
      EVERY_VALUE.add(URLEncoder.encode(value, StandardCharsets.UTF_8)); // as it appears in a URL
    }
  }

  /**
   * Every secret value read so far in this process (of {@link #REDACTED_FROM_LOGS_AT} characters or
   * more): the log encoder replaces each wherever it appears in a line, so a message that quotes a
   * URL or a command with a token in it does not leak the token.
   */
  public static Set<String> everyValue() {
    return Collections.unmodifiableSet(EVERY_VALUE);
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  /**
   * Compares in time that depends on neither the content nor the length of either side (both are
   * hashed first), so a caller cannot find a token byte by byte.
   */
  public boolean matches(String candidate) {
    return MessageDigest.isEqual(sha256(value), sha256(candidate == null ? "" : candidate))
        && !value.isEmpty();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "(empty)" : "(secret)";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
