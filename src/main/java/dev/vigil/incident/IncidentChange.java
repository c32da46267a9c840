package dev.vigil.incident;

/** Something that happened to an incident in a commit; later stages (runbooks, escalation) react to these. */
public record IncidentChange(IncidentId id, Kind kind) {
  public enum Kind { OPENED, ALERTS_ADDED, ALERTS_RESOLVED, RESOLVED, ACKNOWLEDGED, NOTE }
}
