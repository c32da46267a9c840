package dev.vigil.escalation;

/**
 * An escalation request that does not apply (nothing left to escalate to, incident resolved); the
 * API answers 409.
 */
public final class EscalationException extends RuntimeException {
  public EscalationException(String message) {
    super(message, null, false, false);
  }
}
