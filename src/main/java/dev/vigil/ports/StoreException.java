package dev.vigil.ports;

/** The store could not do what was asked (unreachable, full, locked); callers answer 503. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
