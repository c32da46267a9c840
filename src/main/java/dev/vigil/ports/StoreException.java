package dev.vigil.ports;

/** The store could not do what was asked (unreachable, full, locked); callers answer 503. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A commit that failed with {@code cause}: "store: commit failed: " and {@link
   * Failures#describe}, which names the cause's class where it has no message.
   */
  public static StoreException commitFailed(Throwable cause) {
    return new StoreException("store: commit failed: " + Failures.describe(cause), cause);
  }
}
