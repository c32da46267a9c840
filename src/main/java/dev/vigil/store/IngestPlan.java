package dev.vigil.store;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.InstantText;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.AlertOccurrence;
import dev.vigil.incident.GroupedIncident;
import dev.vigil.incident.Grouping;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.Triage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ingest batch as rows, shared by both stores' write paths: the {@link Grouping} decides, this
 * says what to load and what to write. The stores load what it asks for ({@link
 * #startsAtByFingerprint}, {@link #groupKeys}, {@link #incidentIdsToLoad}), hand the rows over
 * ({@link #loadedAlert}, {@link #loadedIncident}), call {@link #decide}, give the new incidents
 * their ids ({@link #assignIds}), write the rows it lists and return {@link #result}.
 */
final class IngestPlan {
  private final Grouping grouping;
  private final long now;
  // label and annotation maps of the batch's alerts and groups as JSON text, made before the
  // writer's thread runs the plan: by each request's own thread where it came prepared ({@link
  // PreparedAlerts}), else here, where the plan is made
  private final Map<Map<String, String>, String> json = new IdentityHashMap<>();

  IngestPlan(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    this.grouping = new Grouping(requests, triage, now);
    this.now = grouping.now();
    for (List<AlertIntake> request : requests) {
      (request instanceof PreparedAlerts prepared ? prepared : new PreparedAlerts(request))
          .texts(json);
    }
  }

  /** {@code map} as JSON text: encoded already if it came with the batch. */
  private String json(Map<String, String> map) {
    String text = json.get(map);
    return text != null ? text : Json.write(map);
  }

  long now() {
    return now;
  }

  // ---------------------------------------------------------------- what to load

  /**
   * The batch's fingerprints, each with the startsAt values named: load those occurrences and every
   * firing one.
   */
  Map<String, Set<String>> startsAtByFingerprint() {
    return grouping.startsAtByFingerprint();
  }

  /** The groups whose open incident must be loaded. */
  Set<String> groupKeys() {
    return grouping.groupKeys();
  }

  /** After the alerts are loaded: the incidents they belong to, not loaded yet. */
  Set<Long> incidentIdsToLoad() {
    return grouping.incidentIdsToLoad();
  }

  void loadedAlert(String fingerprint, String startsAt, Long incidentId, AlertStatus status) {
    grouping.loadedAlert(fingerprint, startsAt, incidentId, status);
  }

  void loadedIncident(Incident incident) {
    grouping.loadedIncident(incident);
  }

  // ---------------------------------------------------------------- deciding

  /** Applies every alert in arrival order (see {@link Grouping#decide}). */
  void decide() {
    grouping.decide();
  }

  /** How many new incidents need an id. */
  int newIncidents() {
    return grouping.newIncidents();
  }

  /** Gives the new incidents their ids, in the order they were opened. */
  void assignIds(List<Long> ids) {
    grouping.assignIds(ids);
  }

  // ---------------------------------------------------------------- what to write

  static final String INSERT_INCIDENTS =
      "incidents (id, group_key, status, severity, type, team, title, labels, alert_count, "
          + "firing_count, dropped, opened_at, resolved_at, resolved_by, updated_at)";
  static final String UPDATE_INCIDENT =
      "UPDATE incidents SET alert_count = alert_count + ?, firing_count = firing_count + ?, "
          + "status = CASE WHEN ? THEN 'resolved' ELSE status END, "
          + "resolved_at = CASE WHEN ? THEN ? ELSE resolved_at END, resolved_by = CASE WHEN ? THEN ? ELSE resolved_by END, "
          + "updated_at = ? WHERE id = ?";
  private static final String ALERT_COLUMNS =
      "fingerprint, starts_at, incident_id, status, ends_at, labels, annotations, generator_url, "
          + "received_at, updated_at";
  static final String INSERT_ALERTS = "alerts (" + ALERT_COLUMNS + ")";

  /** {@link #INSERT_ALERTS} with the row id first, reserved by the caller (SQLite). */
  static final String INSERT_ALERTS_WITH_ID = "alerts (id, " + ALERT_COLUMNS + ")";

  static final String UPDATE_ALERT =
      "UPDATE alerts SET status = ?, ends_at = ?, incident_id = ?, updated_at = ? WHERE fingerprint = ? AND starts_at = ?";
  static final String INSERT_TIMELINE = "timeline (incident_id, at, kind, actor, text)";

  /** Rows for {@link #INSERT_INCIDENTS}. */
  List<Object[]> incidentInserts() {
    List<Object[]> rows = new ArrayList<>();
    for (GroupedIncident inc : grouping.touched()) {
      if (inc.isNew()) {
        boolean resolved = inc.resolvedNow();
        Triage.Outcome t = inc.triage();
        rows.add(
            new Object[] {
              inc.id(),
              inc.groupKey(),
              inc.status().wire(),
              t.severity().wire(),
              t.type(),
              t.team(),
              inc.title(),
              json(inc.labels()),
              inc.alertCount(),
              inc.firingCount(),
              t.drop() ? 1 : 0,
              now,
              resolved ? now : null,
              resolved ? Grouping.ACTOR : null,
              now
            });
      }
    }
    return rows;
  }

  /**
   * Parameters for {@link #UPDATE_INCIDENT}: deltas and a conditional status, so that a concurrent
   * acknowledgement is never overwritten.
   */
  List<Object[]> incidentUpdates() {
    List<Object[]> rows = new ArrayList<>();
    for (GroupedIncident inc : grouping.touched()) {
      if (!inc.isNew()) {
        boolean resolved = inc.resolvedNow();
        rows.add(
            new Object[] {
              inc.alertCountDelta(),
              inc.firingCountDelta(),
              resolved,
              resolved,
              now,
              resolved,
              Grouping.ACTOR,
              now,
              inc.id()
            });
      }
    }
    return rows;
  }

  /** Rows for {@link #INSERT_ALERTS}. */
  List<Object[]> alertInserts() {
    List<Object[]> rows = new ArrayList<>();
    for (AlertOccurrence a : grouping.occurrences()) {
      if (a.isNew()) {
        Alert al = a.latest();
        rows.add(
            new Object[] {
              a.fingerprint(),
              a.startsAt(),
              a.incident(),
              a.status().wire(),
              al.endsAt() == null ? null : InstantText.of(al.endsAt()),
              json(al.labels()),
              json(al.annotations()),
              al.generatorUrl(),
              now,
              now
            });
      }
    }
    return rows;
  }

  /** Parameters for {@link #UPDATE_ALERT}. */
  List<Object[]> alertUpdates() {
    List<Object[]> rows = new ArrayList<>();
    for (AlertOccurrence a : grouping.occurrences()) {
      if (!a.isNew() && a.changed()) {
        Alert al = a.latest();
        rows.add(
            new Object[] {
              a.status().wire(),
              al.endsAt() == null ? null : InstantText.of(al.endsAt()),
              a.incident(),
              now,
              a.fingerprint(),
              a.startsAt()
            });
      }
    }
    return rows;
  }

  /** Rows for {@link #INSERT_TIMELINE}, worded by {@link Grouping#timeline}. */
  List<Object[]> timelineRows() {
    List<Object[]> rows = new ArrayList<>();
    grouping.timeline(
        (incident, kind, text) ->
            rows.add(new Object[] {incident, now, kind, Grouping.ACTOR, text}));
    return rows;
  }

  // ---------------------------------------------------------------- the outcome

  IngestResult result() {
    return grouping.result();
  }
}
