package dev.vigil.notify.pagerduty;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/**
 * Which Vigil incident a PagerDuty incident is, by PagerDuty's id ({@code PGR0VU2}): learnt from
 * the webhooks whose data carries both that id and the {@code incident_key}, and asked by those
 * that carry PagerDuty's id only (a note). Durable, shared by replicas. Futures fail when the store
 * cannot be asked.
 */
public interface IncidentLinks {
  /** Records the link unless PagerDuty's id is linked already (the first link stays). */
  Future<Void> link(String pagerDutyId, IncidentId incident, Instant now);

  Future<Optional<IncidentId>> find(String pagerDutyId);
}
