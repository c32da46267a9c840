package dev.vigil.slack;

/**
 * A command that cannot be understood; the message says what was wrong and how to write it (shown
 * only to the caller).
 */
public final class Usage extends RuntimeException {
  public Usage(String message) {
    super(message, null, false, false);
  }
}
