package dev.vigil.alert;

/**
 * A matcher that does not parse. {@link #offset()} is the 0-based position in the matcher text
 * where the problem was found, so a caller can point at it; the message says what was expected
 * there.
 */
public final class MatcherSyntaxException extends IllegalArgumentException {
  private final int offset;
  private final String reason;

  public MatcherSyntaxException(String text, int offset, String reason) {
    super("bad matcher \"" + text + "\": " + reason + " (at character " + (offset + 1) + ")");
    this.offset = offset;
    this.reason = reason;
  }

  /** 0-based offset into the matcher text. */
  public int offset() {
    return offset;
  }

  /** What is wrong, without the matcher text or the offset. */
  public String reason() {
    return reason;
  }
}
