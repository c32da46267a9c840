package dev.vigil.telemetry;

import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.Stage;
import dev.vigil.oncall.Team;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The pipeline's first stage: feeds opened, acknowledged and resolved incidents to the metrics
 * ({@link IncidentMeters}) and the traces ({@link Tracing}) from the events' own data, with no read
 * and no wait. It runs first so that an opened incident's trace exists before the stages after it
 * page or start its runbook, whose spans join it.
 */
public final class IncidentTelemetry implements Stage {
  private final IncidentMeters meters;
  private final Tracing tracing;
  private final Function<String, Optional<Team>> teams;

  /**
   * @param teams a team by id (for the region and time zone on spans)
   */
  public IncidentTelemetry(
      IncidentMeters meters, Tracing tracing, Function<String, Optional<Team>> teams) {
    this.meters = meters;
    this.tracing = tracing;
    this.teams = teams;
  }

  @Override
  public String name() {
    return "telemetry";
  }

  @Override
  public Future<Void> accept(List<IncidentEvent> events) {
    for (IncidentEvent e : events) {
      meters.record(e);
      if (e instanceof IncidentEvent.Opened o) {
        Incident i = o.incident();
        tracing.opened(i, i.team() == null ? Optional.empty() : teams.apply(i.team()));
      } else if (e instanceof IncidentEvent.Acknowledged a) {
        tracing.event("vigil.incident.acknowledge", a.id(), a.by());
      } else if (e instanceof IncidentEvent.Resolved r) {
        tracing.event("vigil.incident.resolve", r.id(), r.by());
      }
    }
    return Future.succeededFuture();
  }
}
