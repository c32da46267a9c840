package dev.vigil.notify;

import java.util.Map;

/**
 * What one integration did with an intent: a short phrase for the timeline (empty when there was
 * nothing for it to do) and the fields a reader of the outcome needs, stored with the intent
 * (Slack: {@code channel}, {@code channelId}, {@code ts}; PagerDuty: {@code dedupKey}; a webhook:
 * {@code status}). An integration that is off, and so delivered to the log, returns no fields.
 */
public record Receipt(String phrase, Map<String, String> fields) {

  public Receipt {
    fields = Map.copyOf(fields);
  }

  /** A receipt with a phrase and no fields. */
  public static Receipt of(String phrase) {
    return new Receipt(phrase, Map.of());
  }

  /** Nothing to do for this integration. */
  public static Receipt nothing() {
    return new Receipt("", Map.of());
  }
}
