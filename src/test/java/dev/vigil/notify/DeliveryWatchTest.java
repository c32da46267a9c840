package dev.vigil.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.oncall.TeamId;
import io.vertx.core.Future;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A step waiting on a delivery is woken once it is settled, and a store blip on a read fails
 * nobody.
 */
class DeliveryWatchTest {
  static final Instant T = Instant.parse("2026-12-05T06:00:00Z");
  static final NotificationIntent INTENT =
      NotificationIntent.message("run-1/post", null, new TeamId("eu"), "#ops", "hi");

  /**
   * An outbox whose reads by key answer from {@code answers}, one each, then the last one again.
   */
  static Outbox outbox(Deque<Future<Optional<OutboxEntry>>> answers) {
    return (Outbox)
        Proxy.newProxyInstance(
            Outbox.class.getClassLoader(),
            new Class<?>[] {Outbox.class},
            (proxy, m, args) -> {
              if (m.getName().equals("byKey")) {
                return answers.size() > 1 ? answers.poll() : answers.peek();
              }
              throw new UnsupportedOperationException(m.getName());
            });
  }

  static OutboxEntry entry(OutboxEntry.Status status) {
    return new OutboxEntry(
        1, INTENT, status, 1, T, T, status == OutboxEntry.Status.PENDING ? null : T, null);
  }

  @Test
  void aFailedReadFailsNoWaiterAndTheNextPollSettlesThemAll() {
    Deque<Future<Optional<OutboxEntry>>> answers =
        new ArrayDeque<>(
            List.of(
                Future.succeededFuture(
                    Optional.of(
                        entry(
                            OutboxEntry.Status.PENDING))), // the first waiter's read: still pending
                Future.failedFuture(
                    new IllegalStateException(
                        "database is locked")), // the second waiter's read: a blip
                Future.succeededFuture(Optional.of(entry(OutboxEntry.Status.DELIVERED)))));
    DeliveryWatch watch = new DeliveryWatch(outbox(answers));
    Future<OutboxEntry> first = watch.settled("run-1/post");
    Future<OutboxEntry> second = watch.settled("run-1/post");
    assertThat(first.isComplete()).isFalse();
    assertThat(second.isComplete()).as("a failed read fails nobody").isFalse();
    watch.poll();
    assertThat(first.result().status()).isEqualTo(OutboxEntry.Status.DELIVERED);
    assertThat(second.result().status()).isEqualTo(OutboxEntry.Status.DELIVERED);
    assertThat(watch.size()).isZero();
  }

  @Test
  void anIntentThatDoesNotExistFailsItsWaiter() {
    DeliveryWatch watch =
        new DeliveryWatch(
            outbox(new ArrayDeque<>(List.of(Future.succeededFuture(Optional.empty())))));
    Future<OutboxEntry> f = watch.settled("run-1/none");
    assertThat(f.failed()).isTrue();
    assertThat(f.cause()).hasMessageContaining("no outbox intent run-1/none");
  }
}
