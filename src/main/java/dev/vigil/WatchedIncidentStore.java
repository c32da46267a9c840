package dev.vigil;

import dev.vigil.alert.Alert;
import dev.vigil.classify.Triage;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentChange;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An {@link IncidentStore} that tells later stages what happened after each commit: the alerts of
 * every ingested batch (repeats included, which the change list leaves out: heartbeats need them)
 * and acknowledgements and resolutions made through the API (which do not pass the ingest hook), and
 * the runbook engine's run lines (a run created or finished), after which the incident's Slack
 * message shows the run's new status.
 * Listeners run after the commit and must not block.
 */
final class WatchedIncidentStore implements IncidentStore {
  private final IncidentStore store;
  private final Consumer<List<Alert>> onAlerts;
  private final Consumer<List<IncidentChange>> onChanges;
  private final Consumer<IncidentId> onRunbookLine;

  WatchedIncidentStore(IncidentStore store, Consumer<List<Alert>> onAlerts, Consumer<List<IncidentChange>> onChanges,
      Consumer<IncidentId> onRunbookLine) {
    this.store = store;
    this.onAlerts = onAlerts;
    this.onChanges = onChanges;
    this.onRunbookLine = onRunbookLine;
  }

  @Override
  public Future<IngestResult> ingest(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    return store.ingest(requests, triage, now).onSuccess(r -> {
      List<Alert> alerts = new ArrayList<>();
      requests.forEach(req -> req.forEach(a -> alerts.add(a.alert())));
      onAlerts.accept(alerts);
    });
  }

  @Override
  public Future<Incident> acknowledge(IncidentId id, String by, String text, Instant now) {
    return store.acknowledge(id, by, text, now)
        .onSuccess(i -> onChanges.accept(List.of(new IncidentChange(id, IncidentChange.Kind.ACKNOWLEDGED))));
  }

  @Override
  public Future<Incident> resolve(IncidentId id, String by, String text, Instant now) {
    return store.resolve(id, by, text, now)
        .onSuccess(i -> onChanges.accept(List.of(new IncidentChange(id, IncidentChange.Kind.RESOLVED))));
  }

  @Override
  public Future<List<Incident>> list(IncidentQuery query) {
    return store.list(query);
  }

  @Override
  public Future<Optional<Incident>> get(IncidentId id) {
    return store.get(id);
  }

  @Override
  public Future<List<StoredAlert>> alerts(IncidentId id) {
    return store.alerts(id);
  }

  @Override
  public Future<List<TimelineEvent>> timeline(IncidentId id) {
    return store.timeline(id);
  }

  @Override
  public Future<TimelineEvent> append(IncidentId id, TimelineEvent event) {
    return store.append(id, event).onSuccess(e -> {
      if (e.kind().equals("runbook")) {
        onRunbookLine.accept(id);
      }
    });
  }
}
