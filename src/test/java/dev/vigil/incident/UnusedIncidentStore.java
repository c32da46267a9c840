package dev.vigil.incident;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An {@link IncidentStore} for fakes: every method refuses; a fake overrides the few its test uses.
 */
public abstract class UnusedIncidentStore implements IncidentStore {
  @Override
  public Future<IngestResult> ingest(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<List<Incident>> list(IncidentQuery query) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<Optional<Incident>> get(IncidentId id) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<List<StoredAlert>> alerts(IncidentId id) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<List<TimelineEvent>> timeline(IncidentId id) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<Incident> acknowledge(IncidentId id, String by, String text, Instant now) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<Incident> resolve(IncidentId id, String by, String text, Instant now) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<TimelineEvent> append(IncidentId id, TimelineEvent event) {
    throw new UnsupportedOperationException();
  }
}
