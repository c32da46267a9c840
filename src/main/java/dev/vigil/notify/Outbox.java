package dev.vigil.notify;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Durable notification intents waiting for delivery. Every method returns a future completed once
 * the change is committed.
 */
public interface Outbox {

  /** Stores the intent unless one with its key exists; true when it was stored now. */
  Future<Boolean> enqueue(NotificationIntent intent, Instant now);

  /**
   * Pending intents whose next attempt is due, oldest first. When replicas share the store, the
   * intents are claimed for this replica: another replica gets them only once this one records
   * their outcome or its claim runs out ({@link #renewClaims}).
   */
  Future<List<OutboxEntry>> due(Instant now, int limit);

  /**
   * Extends this replica's claims on {@code ids}, the intents it is delivering (replicas sharing a
   * store); nothing otherwise.
   */
  default Future<Void> renewClaims(Instant now, Collection<Long> ids) {
    return Future.succeededFuture();
  }

  /**
   * Marks an intent delivered and, for a page, appends {@code event} to its incident's timeline, in
   * one transaction.
   */
  default Future<Void> delivered(OutboxEntry entry, Instant now, TimelineEvent event) {
    return delivered(List.of(entry), now, e -> event);
  }

  /**
   * Marks intents delivered and appends each one's timeline event (null: none; digests have no
   * incident), all in one transaction. An intent already delivered is left alone, event included.
   */
  Future<Void> delivered(
      List<OutboxEntry> entries, Instant now, Function<OutboxEntry, TimelineEvent> event);

  /**
   * Records a failed attempt; it is tried again at {@code retryAt}, or given up ({@code failed})
   * when retryAt is null.
   */
  default Future<Void> attemptFailed(OutboxEntry entry, String error, Instant retryAt) {
    return attempted(entry, entry.done(), error, retryAt, List.of());
  }

  /**
   * Records an attempt that did not finish the intent, in one transaction: the integrations now
   * {@code done}, the error, the timeline lines (for an incident's intent), and either the next
   * attempt time or, when {@code retryAt} is null, that the intent has failed for good.
   */
  default Future<Void> attempted(
      OutboxEntry entry,
      Set<String> done,
      String error,
      Instant retryAt,
      List<TimelineEvent> events) {
    return attempted(entry, done, entry.receipts(), error, retryAt, events);
  }

  /**
   * As {@link #attempted(OutboxEntry, java.util.Set, String, Instant, List)}, storing what the
   * integrations that took it returned.
   */
  Future<Void> attempted(
      OutboxEntry entry,
      Set<String> done,
      Map<String, Map<String, String>> receipts,
      String error,
      Instant retryAt,
      List<TimelineEvent> events);

  /**
   * Marks an intent finished in one transaction: {@code delivered} (or {@code failed} when {@code
   * error} is not null, meaning some integration refused it for good) with its timeline lines. An
   * intent no longer pending is left alone, events included.
   */
  default Future<Void> finished(
      OutboxEntry entry, Set<String> done, String error, Instant now, List<TimelineEvent> events) {
    return finished(entry, done, entry.receipts(), error, now, events);
  }

  /**
   * As {@link #finished(OutboxEntry, java.util.Set, String, Instant, List)}, storing what the
   * integrations that took it returned.
   */
  Future<Void> finished(
      OutboxEntry entry,
      Set<String> done,
      Map<String, Map<String, String>> receipts,
      String error,
      Instant now,
      List<TimelineEvent> events);

  /** The intent stored under {@code key}, in whatever state it is. */
  Future<Optional<OutboxEntry>> byKey(String key);

  /** Every intent for an incident, oldest first (API and tests). */
  Future<List<OutboxEntry>> forIncident(IncidentId incident);

  /** The most recent intents of a kind, newest first. */
  Future<List<OutboxEntry>> recent(NotificationIntent.Kind kind, int limit);
}
