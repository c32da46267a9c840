package dev.vigil.runbook.engine;

/**
 * A request to the engine that cannot apply: the run or runbook does not exist, or the run is not
 * in a state that allows it.
 */
public final class EngineException extends RuntimeException {
  public enum Reason {
    NOT_FOUND,
    CONFLICT
  }

  private final Reason reason;

  public EngineException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
