package dev.vigil.notify;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for outbox intents to settle: {@link #settled} completes once the intent stored under a key
 * is no longer pending (delivered, or failed for good), with the entry as stored then, receipts
 * included. A runbook step that must report what its message became (a Slack ts) waits here.
 *
 * <p>The dispatcher (or the log notifier) calls {@link #recorded} after it stores an attempt's
 * outcome; {@link #poll} reads every watched key again, for intents another replica delivered. The
 * store is the only truth: a waiter is completed from what a read returned, never from memory, and
 * a waiter is registered before its first read, so no outcome recorded in between is missed.
 * Thread-safe; nothing blocks.
 */
public final class DeliveryWatch {
  private static final Logger log = LoggerFactory.getLogger(DeliveryWatch.class);

  private final Outbox outbox;
  private final Map<String, List<Promise<OutboxEntry>>> waiting = new HashMap<>();

  public DeliveryWatch(Outbox outbox) {
    this.outbox = outbox;
  }

  /**
   * The entry under {@code key} once it is settled. Fails when no intent has that key; a read that
   * fails is tried again at the next poll; {@link #forget} drops a wait that is no longer wanted (a
   * step that timed out).
   */
  public Future<OutboxEntry> settled(String key) {
    Promise<OutboxEntry> p = Promise.promise();
    synchronized (this) {
      waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
    }
    check(key);
    return p.future();
  }

  /** Stops waiting for {@code key}: the futures of its waiters fail with "no longer waited for". */
  public void forget(String key) {
    List<Promise<OutboxEntry>> ps;
    synchronized (this) {
      ps = waiting.remove(key);
    }
    if (ps != null) {
      ps.forEach(p -> p.tryFail("notify: " + key + " is no longer waited for"));
    }
  }

  /** An attempt's outcome for {@code key} was stored: completes its waiters if it has settled. */
  public void recorded(String key) {
    boolean watched;
    synchronized (this) {
      watched = waiting.containsKey(key);
    }
    if (watched) {
      check(key);
    }
  }

  /** Reads every watched key again (intents delivered by another replica). */
  public void poll() {
    Set<String> keys;
    synchronized (this) {
      keys = Set.copyOf(waiting.keySet());
    }
    keys.forEach(this::check);
  }

  /** How many keys are waited for. */
  public synchronized int size() {
    return waiting.size();
  }

  private void check(String key) {
    outbox
        .byKey(key)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                // a read that failed is tried again by the next poll, for every waiter on the key
                // (failing them here would
                // fail the steps already waiting on it for one new waiter's blip)
                log.atWarn()
                    .log(
                        "notify: reading outbox intent "
                            + key
                            + " failed (read again at the next poll): "
                            + ar.cause().getMessage());
                return;
              }
              if (ar.result().isEmpty()) {
                complete(key, null, new IllegalStateException("notify: no outbox intent " + key));
              } else if (ar.result().get().status() != OutboxEntry.Status.PENDING) {
                complete(key, ar.result().get(), null);
              }
            });
  }

  private void complete(String key, OutboxEntry entry, Throwable failure) {
    List<Promise<OutboxEntry>> ps;
    synchronized (this) {
      ps = waiting.remove(key);
    }
    if (ps == null) {
      return;
    }
    for (Promise<OutboxEntry> p : ps) {
      if (failure == null) {
        p.tryComplete(entry);
      } else {
        p.tryFail(failure);
      }
    }
  }
}
