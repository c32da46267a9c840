package dev.vigil.notify;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * An intent as stored in the outbox, with its delivery state.
 *
 * @param done the integrations this intent no longer needs ({@code pagerduty}, {@code slack},
 *     {@code fallback}): delivered, or refused for good; a retry skips them
 * @param receipts by integration, the fields of its {@link Receipt} when it took the intent (a
 *     Slack message's {@code ts}, PagerDuty's {@code dedupKey})
 */
public record OutboxEntry(
    long id,
    NotificationIntent intent,
    Status status,
    int attempts,
    Instant nextAttemptAt,
    Instant createdAt,
    Instant deliveredAt,
    String lastError,
    Set<String> done,
    Map<String, Map<String, String>> receipts) {

  public OutboxEntry {
    done = Set.copyOf(done);
    receipts = Map.copyOf(receipts);
  }

  public OutboxEntry(
      long id,
      NotificationIntent intent,
      Status status,
      int attempts,
      Instant nextAttemptAt,
      Instant createdAt,
      Instant deliveredAt,
      String lastError,
      Set<String> done) {
    this(
        id,
        intent,
        status,
        attempts,
        nextAttemptAt,
        createdAt,
        deliveredAt,
        lastError,
        done,
        Map.of());
  }

  public OutboxEntry(
      long id,
      NotificationIntent intent,
      Status status,
      int attempts,
      Instant nextAttemptAt,
      Instant createdAt,
      Instant deliveredAt,
      String lastError) {
    this(id, intent, status, attempts, nextAttemptAt, createdAt, deliveredAt, lastError, Set.of());
  }

  public enum Status {
    PENDING,
    DELIVERED,
    FAILED;

    public String wire() {
      return name().toLowerCase();
    }
  }
}
