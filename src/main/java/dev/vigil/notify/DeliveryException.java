package dev.vigil.notify;

/**
 * A delivery that did not happen, saying which integration failed, for what, and why. {@link
 * #permanent()} failures (PagerDuty's 400, Slack's {@code channel_not_found}) are not retried;
 * {@link #circuitOpen()} ones were not even tried because the integration's circuit is open.
 */
public final class DeliveryException extends RuntimeException {
  private final boolean permanent;
  private final boolean circuitOpen;

  public DeliveryException(String message, boolean permanent, boolean circuitOpen) {
    super(message, null, false, false);
    this.permanent = permanent;
    this.circuitOpen = circuitOpen;
  }

  public static DeliveryException transientFailure(String message) {
    return new DeliveryException(message, false, false);
  }

  public static DeliveryException permanentFailure(String message) {
    return new DeliveryException(message, true, false);
  }

  public boolean permanent() {
    return permanent;
  }

  public boolean circuitOpen() {
    return circuitOpen;
  }
}
