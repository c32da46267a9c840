package dev.vigil.incident;

import dev.vigil.alert.AlertStatus;
import java.util.List;

/**
 * What one committed batch did.
 *
 * @param incidentsPerRequest for each request of the batch, in order, the incidents its alerts
 *     belong to
 * @param events every incident event of the batch, in order
 * @param stored every alert of the batch as it now stands in the store (repeats included): what the
 *     ingest path remembers so that the next repeat costs no store access
 */
public record IngestResult(
    List<List<IncidentId>> incidentsPerRequest,
    List<IncidentEvent> events,
    List<StoredState> stored) {

  /** An alert occurrence's stored status and incident (null when it belongs to none). */
  public record StoredState(
      String fingerprint, String startsAt, AlertStatus status, IncidentId incident) {}
}
