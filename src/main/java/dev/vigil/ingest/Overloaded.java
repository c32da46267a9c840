package dev.vigil.ingest;

/**
 * The commit queue is full: the caller should answer 503 with Retry-After so the sender retries.
 */
public final class Overloaded extends RuntimeException {
  public Overloaded(String message) {
    super(message, null, false, false);
  }
}
