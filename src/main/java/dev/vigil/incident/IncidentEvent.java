package dev.vigil.incident;

import dev.vigil.alert.Alert;
import java.util.List;

/**
 * Something a commit did to an incident, with the data the later stages need, so that none of them
 * reads the incident or its alerts again. Stores return these from their writes, and {@link
 * IncidentService} publishes them to the {@link Pipeline}; each stage sees every event once, in
 * commit order.
 *
 * <p>Where an event carries an {@link Incident}, it is the incident as it stood right after the
 * commit.
 */
public sealed interface IncidentEvent {
  IncidentId id();

  /** A new incident, with the alerts that opened it. */
  record Opened(Incident incident, List<Alert> alerts) implements IncidentEvent {
    public Opened {
      alerts = List.copyOf(alerts);
    }

    @Override
    public IncidentId id() {
      return incident.id();
    }
  }

  /**
   * Alerts joined an open incident ({@code firing}) or resolved in it while it stays open ({@code
   * resolved}).
   */
  record AlertsChanged(Incident incident, List<Alert> firing, List<Alert> resolved)
      implements IncidentEvent {
    public AlertsChanged {
      firing = List.copyOf(firing);
      resolved = List.copyOf(resolved);
    }

    @Override
    public IncidentId id() {
      return incident.id();
    }
  }

  /**
   * Someone (or something: a runbook) acknowledged the incident; {@code source} says where (an
   * acknowledgement made in PagerDuty is not sent back to PagerDuty).
   */
  record Acknowledged(Incident incident, String by, Source source) implements IncidentEvent {
    /** An acknowledgement made in Vigil. */
    public Acknowledged(Incident incident, String by) {
      this(incident, by, Source.VIGIL);
    }

    @Override
    public IncidentId id() {
      return incident.id();
    }
  }

  /**
   * An acknowledged incident is triggered again (unacknowledged in PagerDuty, or its
   * acknowledgement timed out there): escalation resumes.
   */
  record Unacknowledged(Incident incident, String by, Source source) implements IncidentEvent {
    @Override
    public IncidentId id() {
      return incident.id();
    }
  }

  /**
   * The incident was resolved: by its last alert resolving ({@code by} "alertmanager") or by
   * someone; {@code source} says where.
   */
  record Resolved(Incident incident, String by, Source source) implements IncidentEvent {
    /** A resolution made in Vigil. */
    public Resolved(Incident incident, String by) {
      this(incident, by, Source.VIGIL);
    }

    @Override
    public IncidentId id() {
      return incident.id();
    }
  }

  /** A line was added to the incident's timeline (a note, a notification, a runbook offer). */
  record Noted(IncidentId id, TimelineEvent line) implements IncidentEvent {}

  /** One of the incident's runbook runs was created, started or finished; {@code line} says how. */
  record RunChanged(IncidentId id, TimelineEvent line) implements IncidentEvent {}
}
