package dev.vigil.bench;

import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.incident.Triage;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Incidents in memory for the engine benchmark: the engine's own writes are what is measured. */
final class MemoryIncidents implements IncidentStore {
  private final Map<IncidentId, Incident> incidents = new ConcurrentHashMap<>();
  final AtomicLong events = new AtomicLong();

  Incident add(Incident i) {
    incidents.put(i.id(), i);
    return i;
  }

  @Override
  public Future<IngestResult> ingest(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    return Future.failedFuture("not in the benchmark");
  }

  @Override
  public Future<List<Incident>> list(IncidentQuery query) {
    return Future.succeededFuture(List.copyOf(incidents.values()));
  }

  @Override
  public Future<Optional<Incident>> get(IncidentId id) {
    return Future.succeededFuture(Optional.ofNullable(incidents.get(id)));
  }

  @Override
  public Future<List<StoredAlert>> alerts(IncidentId id) {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<List<TimelineEvent>> timeline(IncidentId id) {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<Incident> acknowledge(IncidentId id, String by, String text, Instant now) {
    return Future.succeededFuture(incidents.get(id));
  }

  @Override
  public Future<Incident> resolve(IncidentId id, String by, String text, Instant now) {
    return Future.succeededFuture(incidents.get(id));
  }

  @Override
  public Future<TimelineEvent> append(IncidentId id, TimelineEvent event) {
    events.incrementAndGet();
    return Future.succeededFuture(event);
  }
}
