package dev.vigil.incident;

import java.util.List;

/**
 * What one committed batch did.
 *
 * @param incidentsPerRequest for each request of the batch, in order, the incidents its alerts belong to
 * @param changes every incident change of the batch, in order
 */
public record IngestResult(List<List<IncidentId>> incidentsPerRequest, List<IncidentChange> changes) {}
