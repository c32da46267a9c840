package dev.vigil.incident;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;

/**
 * An alert occurrence (fingerprint and startsAt) as a {@link Grouping} knows it before and after
 * its batch. Read-only outside the package; used on the grouping's thread only.
 */
public final class AlertOccurrence {
  final String fingerprint;
  final String startsAt;
  Long incidentId;
  AlertStatus status;
  boolean isNew;
  boolean changed;
  Alert latest;
  GroupedIncident pendingIncident;

  AlertOccurrence(String fingerprint, String startsAt, Long incidentId, AlertStatus status) {
    this.fingerprint = fingerprint;
    this.startsAt = startsAt;
    this.incidentId = incidentId;
    this.status = status;
  }

  public String fingerprint() {
    return fingerprint;
  }

  public String startsAt() {
    return startsAt;
  }

  public AlertStatus status() {
    return status;
  }

  /**
   * The incident's number, or null when it belongs to none (or to a new incident before {@link
   * Grouping#assignIds}).
   */
  public Long incident() {
    return pendingIncident != null ? pendingIncident.id : incidentId;
  }

  /** True when the store does not hold this occurrence yet. */
  public boolean isNew() {
    return isNew;
  }

  /** True when a stored occurrence's status changed in this batch. */
  public boolean changed() {
    return changed;
  }

  /** The alert as last received in this batch; null for an occurrence the batch did not change. */
  public Alert latest() {
    return latest;
  }
}
