package dev.vigil.telemetry;

import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.oncall.TeamId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;

/**
 * Incident lifecycle metrics (fed by {@link IncidentTelemetry}): incidents opened, acknowledged and
 * resolved, pages per escalation level, and the time to acknowledge and to resolve. Labels are
 * {@code severity} (four values) and {@code team} (the configured teams, or {@code none}), never an
 * incident id or a title. Counts are per process; {@code /api/v1/stats} has the durable numbers.
 * Methods may be called on any thread and never block.
 */
public final class IncidentMeters {
  /** Buckets from half a minute to a day: acks take minutes, resolutions minutes to hours. */
  private static final Duration[] BUCKETS = {
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10),
    Duration.ofMinutes(15),
    Duration.ofMinutes(30),
    Duration.ofHours(1),
    Duration.ofHours(2),
    Duration.ofHours(4),
    Duration.ofHours(8),
    Duration.ofDays(1)
  };

  private final MeterRegistry registry;

  public IncidentMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts an incident that opened, was acknowledged or was resolved; other events are ignored. */
  public void record(IncidentEvent event) {
    if (event instanceof IncidentEvent.Opened e) {
      counter("vigil_incidents_opened_total", "Incidents opened", e.incident()).increment();
    } else if (event instanceof IncidentEvent.Acknowledged e) {
      Incident i = e.incident();
      counter("vigil_incidents_acknowledged_total", "Incidents acknowledged", i).increment();
      timer("vigil_incident_time_to_acknowledge", "From opening to acknowledgement", i)
          .record(since(i.openedAt(), i.acknowledgedAt()));
    } else if (event instanceof IncidentEvent.Resolved e) {
      Incident i = e.incident();
      counter("vigil_incidents_resolved_total", "Incidents resolved", i).increment();
      timer("vigil_incident_time_to_resolve", "From opening to resolution", i)
          .record(since(i.openedAt(), i.resolvedAt()));
    }
  }

  /** Counts a page escalation decided, by level and the team paged. */
  public void paged(int level, TeamId team) {
    Counter.builder("vigil_escalations_total")
        .description("Pages decided by escalation, by level and team paged")
        .tag("level", Integer.toString(level))
        .tag("team", team.value())
        .register(registry)
        .increment();
  }

  private Counter counter(String name, String description, Incident i) {
    return Counter.builder(name)
        .description(description)
        .tag("severity", i.severity().wire())
        .tag("team", team(i))
        .register(registry);
  }

  private Timer timer(String name, String description, Incident i) {
    return Timer.builder(name)
        .description(description)
        .tag("severity", i.severity().wire())
        .tag("team", team(i))
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }

  private static String team(Incident i) {
    return i.team() == null ? "none" : i.team();
  }

  private static Duration since(Instant from, Instant to) {
    return to == null || to.isBefore(from) ? Duration.ZERO : Duration.between(from, to);
  }
}
