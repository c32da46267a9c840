package dev.vigil.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A value that must never be printed: tokens, signing secrets, routing keys. {@link #toString()}
 * hides it, so a record holding one can be logged safely; {@link #reveal()} is the only way out.
 */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = value;
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  /**
   * Compares in time that depends on neither the content nor the length of either side
   * (both are hashed first), so a caller cannot find a token byte by byte.
   */
  public boolean matches(String candidate) {
    return MessageDigest.isEqual(sha256(value), sha256(candidate == null ? "" : candidate)) && !value.isEmpty();
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
