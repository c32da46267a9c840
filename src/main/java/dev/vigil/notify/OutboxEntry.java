package dev.vigil.notify;

import java.time.Instant;

/** An intent as stored in the outbox, with its delivery state. */
public record OutboxEntry(long id, NotificationIntent intent, Status status, int attempts, Instant nextAttemptAt, Instant createdAt,
    Instant deliveredAt, String lastError) {

  public enum Status {
    PENDING, DELIVERED, FAILED;

    public String wire() {
      return name().toLowerCase();
    }
  }
}
