package dev.vigil.expr;

/**
 * An expression or template could not be evaluated: a missing key, a wrong runtime type, a value
 * that may not be inserted where it is, or the cost limit.
 */
public final class EvalException extends Exception {
  public EvalException(String message) {
    super(message);
  }

  public EvalException(String message, Throwable cause) {
    super(message, cause);
  }
}
