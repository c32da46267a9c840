package dev.vigil.telemetry;

import dev.vigil.incident.IncidentChange;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.oncall.Team;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds incident changes to the metrics and the traces: reads each opened, acknowledged or resolved
 * incident once (for its severity, team and times) and hands it to {@link IncidentMeters} and
 * {@link Tracing}. Never blocks; may be called from any thread.
 */
public final class IncidentTelemetry {
  private static final Logger log = LoggerFactory.getLogger(IncidentTelemetry.class);

  private final IncidentStore incidents;
  private final IncidentMeters meters;
  private final Tracing tracing;
  private final Function<String, Optional<Team>> teams;

  /** @param teams a team by id (for the region and time zone on spans) */
  public IncidentTelemetry(IncidentStore incidents, IncidentMeters meters, Tracing tracing, Function<String, Optional<Team>> teams) {
    this.incidents = incidents;
    this.meters = meters;
    this.tracing = tracing;
    this.teams = teams;
  }

  /** Records the changes; completes (never fails) once an opened incident's trace exists, so later spans join it. */
  public Future<Void> onChanges(List<IncidentChange> changes) {
    List<Future<Void>> recorded = new ArrayList<>();
    for (IncidentChange c : changes) {
      switch (c.kind()) {
        case OPENED, ACKNOWLEDGED, RESOLVED -> recorded.add(record(c.id(), c.kind()));
        default -> { }
      }
    }
    return recorded.isEmpty() ? Future.succeededFuture() : Future.join(recorded).mapEmpty();
  }

  private Future<Void> record(IncidentId id, IncidentChange.Kind kind) {
    return incidents.get(id).map(found -> {
      found.ifPresent(i -> {
        meters.record(kind, i);
        switch (kind) {
          case OPENED -> tracing.opened(i, i.team() == null ? Optional.empty() : teams.apply(i.team()));
          case ACKNOWLEDGED -> tracing.event("vigil.incident.acknowledge", id, i.acknowledgedBy());
          default -> tracing.event("vigil.incident.resolve", id, i.resolvedBy());
        }
      });
      return (Void) null;
    }).recover(e -> {
      log.atWarn().addKeyValue("incident", id.toString()).log("telemetry: cannot read incident " + id + " to record it: " + e.getMessage());
      return Future.succeededFuture();
    });
  }
}
