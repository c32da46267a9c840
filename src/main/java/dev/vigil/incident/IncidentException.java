package dev.vigil.incident;

/** A request about an incident that cannot be carried out; the message says why, for a person. */
public class IncidentException extends RuntimeException {
  /** Why it failed, so the API can choose its status code. */
  public enum Reason {
    NOT_FOUND,
    CONFLICT
  }

  private final Reason reason;

  public IncidentException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public static IncidentException notFound(IncidentId id) {
    return new IncidentException(Reason.NOT_FOUND, "incident " + id + " does not exist");
  }
}
