package dev.vigil.web;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed requests already accepted, by key, while a replay of them could still pass: Slack
 * requests by signature, PagerDuty webhook deliveries by {@code pagerduty:<event id>}. The daemon
 * keeps them in the store ({@code slack_seen_requests}), so a request refused before a restart
 * stays refused after it, and replicas sharing a store share the memory.
 */
public interface SeenRequests {
  /**
   * Records {@code signature} until {@code until} if it is new. The future holds true for the first
   * sighting (insert-if-absent decides, so of two replicas seeing one request at once only one gets
   * true) and false for a replay; it fails when the memory cannot be asked, and the caller refuses
   * the request then. An entry past its {@code until} counts as never seen: it is taken over (so a
   * short claim left by a process that died mid-work lapses).
   */
  Future<Boolean> firstSighting(String signature, Instant until);

  /**
   * Keeps {@code signature} remembered until {@code until} (a claim, once its work is done). Fails
   * when the memory cannot be asked.
   */
  Future<Void> keep(String signature, Instant until);

  /**
   * Until when {@code signature} is remembered; empty if it is not (never seen, forgotten or
   * lapsed).
   */
  Future<Optional<Instant>> until(String signature);

  /**
   * Forgets {@code signature}, so that it is new again: for a request accepted but whose work then
   * failed, which its sender will retry. Fails when the memory cannot be asked.
   */
  Future<Void> forget(String signature);

  /** A memory in this process only, forgotten at exit: for tools and tests that have no store. */
  static SeenRequests inMemory(Clock clock) {
    Map<String, Instant> seen = new ConcurrentHashMap<>();
    return new SeenRequests() {
      @Override
      public Future<Boolean> firstSighting(String signature, Instant until) {
        Instant now = clock.instant();
        seen.values().removeIf(u -> u.isBefore(now));
        return Future.succeededFuture(seen.putIfAbsent(signature, until) == null);
      }

      @Override
      public Future<Void> keep(String signature, Instant until) {
        seen.put(signature, until);
        return Future.succeededFuture();
      }

      @Override
      public Future<Optional<Instant>> until(String signature) {
        Instant u = seen.get(signature);
        return Future.succeededFuture(
            u == null || u.isBefore(clock.instant()) ? Optional.empty() : Optional.of(u));
      }

      @Override
      public Future<Void> forget(String signature) {
        seen.remove(signature);
        return Future.succeededFuture();
      }
    };
  }
}
