package dev.vigil.notify;

import java.time.Instant;
import java.util.Set;

/**
 * An intent as stored in the outbox, with its delivery state.
 *
 * @param done the integrations this intent no longer needs ({@code pagerduty}, {@code slack},
 *     {@code fallback}): delivered, or refused for good; a retry skips them
 */
public record OutboxEntry(long id, NotificationIntent intent, Status status, int attempts, Instant nextAttemptAt, Instant createdAt,
    Instant deliveredAt, String lastError, Set<String> done) {

  public OutboxEntry {
    done = Set.copyOf(done);
  }

  public OutboxEntry(long id, NotificationIntent intent, Status status, int attempts, Instant nextAttemptAt, Instant createdAt,
      Instant deliveredAt, String lastError) {
    this(id, intent, status, attempts, nextAttemptAt, createdAt, deliveredAt, lastError, Set.of());
  }

  public enum Status {
    PENDING, DELIVERED, FAILED;

    public String wire() {
      return name().toLowerCase();
    }
  }
}
