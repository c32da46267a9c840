package dev.vigil.ports;

/** The store could not do what was asked (unreachable, full, locked); callers answer 503. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A commit that failed with {@code cause}: "store: commit failed: " and the cause's message, or
   * its class where it has none (a bare {@code NullPointerException} read "failed: null").
   */
  public static StoreException commitFailed(Throwable cause) {
    String m = cause.getMessage();
    return new StoreException(
        "store: commit failed: "
            + (m == null || m.isBlank() ? cause.getClass().getSimpleName() : m),
        cause);
  }
}
