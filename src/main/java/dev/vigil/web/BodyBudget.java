package dev.vigil.web;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request bytes that may be held at once, across every request, before their sender is known
 * ({@code server.maxUnauthenticatedBytes}). A Slack request must be read whole before its signature
 * can be checked, so without this 16,000 unsigned requests of 256 KiB each held 4 GB of heap.
 * Thread-safe: the listeners on every event loop share one.
 */
public final class BodyBudget {
  private final long limit;
  private final AtomicLong held = new AtomicLong();

  public BodyBudget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code n} bytes of the budget; false (and nothing taken) when they are not left. */
  public boolean take(long n) {
    while (true) {
      long h = held.get();
      if (h + n > limit) {
        return false;
      }
      if (held.compareAndSet(h, h + n)) {
        return true;
      }
    }
  }

  /** Gives back bytes taken earlier. */
  public void give(long n) {
    held.addAndGet(-n);
  }

  /** Bytes held now. */
  public long held() {
    return held.get();
  }

  public long limit() {
    return limit;
  }
}
