package dev.vigil.notify;

import io.vertx.core.Future;
import java.util.Map;

/**
 * One integration that delivers outbox intents: PagerDuty, Slack, a team's webhook, or the log. The
 * dispatcher calls {@link #deliver} once per attempt; a notifier never retries across attempts
 * itself (the outbox does, with its {@link RetryPolicy}), and must be idempotent for the same
 * intent, because an attempt in flight during a crash is made again.
 *
 * <p>Methods return at once and never block; they may be called from any thread.
 */
public interface Notifier {

  /**
   * {@code pagerduty}, {@code slack}, {@code webhook} or {@code log}: the name used in {@link
   * OutboxEntry#done()}, metrics and the timeline.
   */
  String integration();

  /**
   * Delivers the intent. The future holds its {@link Receipt}: a short phrase for the timeline
   * (e.g. {@code "pagerduty (dedup_key INC-4)"}), or empty text when there was nothing for this
   * integration to do, and what the remote side answered; it fails with a {@link DeliveryException}
   * saying whether a retry may help.
   */
  Future<Receipt> deliver(OutboxEntry entry);

  /**
   * Delivers the intent within a trace: {@code trace} holds the W3C {@code traceparent} of the
   * delivery's span (empty when tracing is off), for integrations whose requests can carry it.
   */
  default Future<Receipt> deliver(OutboxEntry entry, Map<String, String> trace) {
    return deliver(entry);
  }

  /**
   * Delivers a page as a fallback for another integration that cannot take it now ({@code failed}
   * says which and why). Only Slack does this; others fail permanently. The future holds where it
   * went.
   */
  default Future<String> fallback(OutboxEntry entry, String failed) {
    return Future.failedFuture(
        DeliveryException.permanentFailure(integration() + ": cannot deliver a fallback"));
  }

  /** For {@code /readyz}: "on", "circuit open", "off: ...". */
  String state();
}
