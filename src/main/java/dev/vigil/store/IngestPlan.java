package dev.vigil.store;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.incident.Triage;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IngestResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ingest batch decided in memory, shared by both stores' write paths: they load what it asks
 * for ({@link #startsAtByFingerprint}, {@link #groupKeys}, {@link #incidentIdsToLoad}), hand the
 * rows over ({@link #loadedAlert}, {@link #loadedIncident}), call {@link #decide}, give the new
 * incidents their ids ({@link #assignIds}), write the rows it lists and return {@link #result}.
 *
 * <p>The rules (ADR 0004): a new firing alert joins the open incident of its group or opens one; a
 * repeat changes nothing; a resolved alert closes its occurrence, and an incident whose alerts are
 * all resolved is resolved; an occurrence firing again rejoins its group's open incident.
 */
final class IngestPlan {
  /** An alert occurrence as known before and after this batch. */
  private static final class AlertRow {
    final String fingerprint;
    final String startsAt;
    Long incidentId;
    AlertStatus status;
    boolean isNew;
    boolean changed;
    Alert latest;
    IncidentRow pendingIncident;

    AlertRow(String fingerprint, String startsAt, Long incidentId, AlertStatus status) {
      this.fingerprint = fingerprint;
      this.startsAt = startsAt;
      this.incidentId = incidentId;
      this.status = status;
    }

    Long incident() {
      return pendingIncident != null ? pendingIncident.id : incidentId;
    }
  }

  /** An incident touched by this batch, existing (with its row as loaded) or about to be inserted. */
  private static final class IncidentRow {
    Long id; // null until allocated, for new incidents
    final Incident loaded; // null for new incidents
    final String groupKey;
    IncidentStatus status;
    int alertCount;
    int firingCount;
    final List<Alert> added = new ArrayList<>();
    final List<Alert> resolved = new ArrayList<>();
    // only for new incidents
    Triage.Outcome triage;
    String title;
    Map<String, String> labels;

    IncidentRow(Incident loaded, String groupKey, IncidentStatus status, int alertCount, int firingCount) {
      this.loaded = loaded;
      this.id = loaded == null ? null : loaded.id().number();
      this.groupKey = groupKey;
      this.status = status;
      this.alertCount = alertCount;
      this.firingCount = firingCount;
    }

    boolean isNew() {
      return loaded == null;
    }
  }

  private final List<List<AlertIntake>> requests;
  private final Triage triage;
  private final long now;
  private final Map<String, AlertRow> alerts = new LinkedHashMap<>(); // fingerprint + '\0' + startsAt; new ones in arrival order
  private final Map<String, AlertRow> firingByFingerprint = new HashMap<>();
  private final Map<Long, IncidentRow> incidentsById = new LinkedHashMap<>();
  private final Map<String, IncidentRow> openByGroup = new HashMap<>();
  private final Set<IncidentRow> touched = new LinkedHashSet<>(); // in the order first touched
  private final List<List<IncidentRow>> perRequest = new ArrayList<>();
  private final Set<AlertRow> named = new LinkedHashSet<>(); // the occurrences the requests named

  IngestPlan(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    this.requests = requests;
    this.triage = triage;
    this.now = now.toEpochMilli();
  }

  long now() {
    return now;
  }

  // ---------------------------------------------------------------- what to load

  /** The batch's fingerprints, each with the startsAt values named: load those occurrences and every firing one. */
  Map<String, Set<String>> startsAtByFingerprint() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (List<AlertIntake> r : requests) {
      for (AlertIntake a : r) {
        out.computeIfAbsent(a.alert().fingerprint(), k -> new LinkedHashSet<>()).add(a.alert().startsAt().toString());
      }
    }
    return out;
  }

  /** The groups whose open incident must be loaded. */
  Set<String> groupKeys() {
    Set<String> groups = new LinkedHashSet<>();
    for (List<AlertIntake> r : requests) {
      for (AlertIntake a : r) {
        groups.add(a.groupKey());
      }
    }
    return groups;
  }

  /** After the alerts are loaded: the incidents they belong to, not loaded yet. */
  Set<Long> incidentIdsToLoad() {
    Set<Long> ids = new LinkedHashSet<>();
    for (AlertRow a : alerts.values()) {
      if (a.incidentId != null && !incidentsById.containsKey(a.incidentId)) {
        ids.add(a.incidentId);
      }
    }
    return ids;
  }

  void loadedAlert(String fingerprint, String startsAt, Long incidentId, AlertStatus status) {
    AlertRow a = new AlertRow(fingerprint, startsAt, incidentId, status);
    alerts.put(key(fingerprint, startsAt), a);
    if (a.status == AlertStatus.FIRING) {
      firingByFingerprint.put(a.fingerprint, a);
    }
  }

  void loadedIncident(Incident incident) {
    long id = incident.id().number();
    if (incidentsById.containsKey(id)) {
      return;
    }
    IncidentRow inc = new IncidentRow(incident, incident.groupKey(), incident.status(), incident.alertCount(), incident.firingCount());
    incidentsById.put(id, inc);
    if (inc.status.isOpen()) {
      openByGroup.put(inc.groupKey, inc);
    }
  }

  // ---------------------------------------------------------------- deciding

  /** Applies every alert in arrival order to the in-memory picture. */
  void decide() {
    for (List<AlertIntake> request : requests) {
      List<IncidentRow> mine = new ArrayList<>();
      for (AlertIntake intake : request) {
        IncidentRow inc = apply(intake);
        if (inc != null && !mine.contains(inc)) {
          mine.add(inc);
        }
      }
      perRequest.add(mine);
    }
  }

  private IncidentRow apply(AlertIntake intake) {
    Alert alert = intake.alert();
    String startsAt = alert.startsAt().toString();
    if (intake.startsAtImplicit() && firingByFingerprint.containsKey(alert.fingerprint())) {
      startsAt = firingByFingerprint.get(alert.fingerprint()).startsAt; // continues the occurrence firing now
    }
    AlertRow row = alerts.get(key(alert.fingerprint(), startsAt));
    if (row == null) {
      row = new AlertRow(alert.fingerprint(), startsAt, null, alert.status());
      row.isNew = true;
      row.latest = alert;
      alerts.put(key(row.fingerprint, startsAt), row);
      named.add(row);
      if (alert.status() == AlertStatus.FIRING) {
        firingByFingerprint.put(row.fingerprint, row);
        IncidentRow inc = openIncident(intake);
        attach(row, inc, true);
        return inc;
      }
      // A resolved alert never seen firing (dropped by max_alerts, or sent before Vigil ran):
      // recorded in its group's open incident if there is one, else kept without an incident.
      IncidentRow inc = openByGroup.get(intake.groupKey());
      if (inc != null) {
        attach(row, inc, false);
      }
      return inc;
    }
    named.add(row);
    if (row.status == alert.status()) {
      return incidentOf(row); // a repeat: nothing changes
    }
    row.changed = true;
    row.latest = alert;
    if (alert.status() == AlertStatus.RESOLVED) {
      row.status = AlertStatus.RESOLVED;
      firingByFingerprint.remove(row.fingerprint);
      IncidentRow inc = incidentOf(row);
      if (inc != null) {
        inc.firingCount--;
        inc.resolved.add(alert);
        touched.add(inc);
        if (inc.firingCount <= 0 && inc.status.isOpen()) {
          inc.status = IncidentStatus.RESOLVED;
          openByGroup.remove(inc.groupKey, inc);
        }
      }
      return inc;
    }
    // Resolved before, firing again with the same startsAt: it rejoins its group's open incident.
    row.status = AlertStatus.FIRING;
    firingByFingerprint.put(row.fingerprint, row);
    IncidentRow previous = incidentOf(row);
    IncidentRow inc = openIncident(intake);
    if (previous == inc) {
      inc.firingCount++;
      inc.added.add(alert);
      touched.add(inc);
    } else {
      if (previous != null) {
        previous.alertCount--;
        touched.add(previous);
      }
      attach(row, inc, true);
    }
    return inc;
  }

  /** The incident an occurrence belongs to (one this batch opened, or one loaded), or null. */
  private IncidentRow incidentOf(AlertRow row) {
    return row.pendingIncident != null ? row.pendingIncident : row.incidentId == null ? null : incidentsById.get(row.incidentId);
  }

  private IncidentRow openIncident(AlertIntake intake) {
    IncidentRow inc = openByGroup.get(intake.groupKey());
    if (inc == null) {
      inc = new IncidentRow(null, intake.groupKey(), IncidentStatus.TRIGGERED, 0, 0);
      Map<String, String> labels = intake.groupLabels().isEmpty() ? intake.alert().labels() : intake.groupLabels();
      inc.labels = labels;
      inc.triage = triage.triage(labels, Instant.ofEpochMilli(now));
      inc.title = title(intake.alert());
      openByGroup.put(intake.groupKey(), inc);
      touched.add(inc);
    }
    return inc;
  }

  private void attach(AlertRow row, IncidentRow inc, boolean firing) {
    row.incidentId = inc.id; // null for new incidents: resolved after allocation
    row.pendingIncident = inc;
    inc.alertCount++;
    if (firing) {
      inc.firingCount++;
      inc.added.add(row.latest);
    } else {
      inc.resolved.add(row.latest);
    }
    touched.add(inc);
  }

  /** How many new incidents need an id. */
  int newIncidents() {
    return (int) touched.stream().filter(IncidentRow::isNew).count();
  }

  /** Gives the new incidents their ids, in the order they were opened. */
  void assignIds(List<Long> ids) {
    int i = 0;
    for (IncidentRow inc : touched) {
      if (inc.isNew()) {
        inc.id = ids.get(i++);
      }
    }
  }

  // ---------------------------------------------------------------- what to write

  static final String INSERT_INCIDENTS = "incidents (id, group_key, status, severity, type, team, title, labels, alert_count, "
      + "firing_count, dropped, opened_at, resolved_at, resolved_by, updated_at)";
  static final String UPDATE_INCIDENT = "UPDATE incidents SET alert_count = alert_count + ?, firing_count = firing_count + ?, "
      + "status = CASE WHEN ? THEN 'resolved' ELSE status END, "
      + "resolved_at = CASE WHEN ? THEN ? ELSE resolved_at END, resolved_by = CASE WHEN ? THEN ? ELSE resolved_by END, "
      + "updated_at = ? WHERE id = ?";
  static final String INSERT_ALERTS = "alerts (fingerprint, starts_at, incident_id, status, ends_at, labels, annotations, generator_url, "
      + "received_at, updated_at)";
  static final String UPDATE_ALERT = "UPDATE alerts SET status = ?, ends_at = ?, incident_id = ?, updated_at = ? WHERE fingerprint = ? AND starts_at = ?";
  static final String INSERT_TIMELINE = "timeline (incident_id, at, kind, actor, text)";

  /** Rows for {@link #INSERT_INCIDENTS}. */
  List<Object[]> incidentInserts() {
    List<Object[]> rows = new ArrayList<>();
    for (IncidentRow inc : touched) {
      if (inc.isNew()) {
        boolean resolved = inc.status == IncidentStatus.RESOLVED;
        rows.add(new Object[] {inc.id, inc.groupKey, inc.status.wire(), inc.triage.severity().wire(),
            inc.triage.type(), inc.triage.team(), inc.title, Json.write(inc.labels), inc.alertCount, inc.firingCount,
            inc.triage.drop() ? 1 : 0, now, resolved ? now : null, resolved ? "alertmanager" : null, now});
      }
    }
    return rows;
  }

  /** Parameters for {@link #UPDATE_INCIDENT}: deltas and a conditional status, so that a concurrent acknowledgement is never overwritten. */
  List<Object[]> incidentUpdates() {
    List<Object[]> rows = new ArrayList<>();
    for (IncidentRow inc : touched) {
      if (!inc.isNew()) {
        boolean resolved = inc.status == IncidentStatus.RESOLVED && inc.loaded.status().isOpen();
        rows.add(new Object[] {inc.alertCount - inc.loaded.alertCount(), inc.firingCount - inc.loaded.firingCount(),
            resolved, resolved, now, resolved, "alertmanager", now, inc.id});
      }
    }
    return rows;
  }

  /** Rows for {@link #INSERT_ALERTS}. */
  List<Object[]> alertInserts() {
    List<Object[]> rows = new ArrayList<>();
    for (AlertRow a : alerts.values()) {
      if (a.isNew) {
        Alert al = a.latest;
        rows.add(new Object[] {a.fingerprint, a.startsAt, a.incident(), a.status.wire(),
            al.endsAt() == null ? null : al.endsAt().toString(), Json.write(al.labels()), Json.write(al.annotations()),
            al.generatorUrl(), now, now});
      }
    }
    return rows;
  }

  /** Parameters for {@link #UPDATE_ALERT}. */
  List<Object[]> alertUpdates() {
    List<Object[]> rows = new ArrayList<>();
    for (AlertRow a : alerts.values()) {
      if (!a.isNew && a.changed) {
        rows.add(new Object[] {a.status.wire(), a.latest.endsAt() == null ? null : a.latest.endsAt().toString(), a.incident(), now,
            a.fingerprint, a.startsAt});
      }
    }
    return rows;
  }

  /** Rows for {@link #INSERT_TIMELINE}. */
  List<Object[]> timelineRows() {
    List<Object[]> rows = new ArrayList<>();
    for (IncidentRow inc : touched) {
      if (inc.isNew()) {
        rows.add(new Object[] {inc.id, now, "opened", "alertmanager", "opened: " + inc.title + " (severity " + inc.triage.severity().wire()
            + (inc.triage.team() == null ? "" : ", team " + inc.triage.team()) + (inc.triage.drop() ? ", recorded only" : "") + ")"});
      }
      if (!inc.added.isEmpty()) {
        rows.add(new Object[] {inc.id, now, "alert", "alertmanager", count(inc.added.size(), "alert") + " firing: " + names(inc.added)});
      }
      if (!inc.resolved.isEmpty()) {
        rows.add(new Object[] {inc.id, now, "alert-resolved", "alertmanager",
            count(inc.resolved.size(), "alert") + " resolved: " + names(inc.resolved)});
      }
      if (inc.status == IncidentStatus.RESOLVED && (inc.isNew() || inc.loaded.status().isOpen())) {
        rows.add(new Object[] {inc.id, now, "resolved", "alertmanager", "resolved: all " + count(inc.alertCount, "alert") + " resolved"});
      }
    }
    return rows;
  }

  // ---------------------------------------------------------------- the outcome

  IngestResult result() {
    List<List<IncidentId>> ids = new ArrayList<>();
    for (List<IncidentRow> r : perRequest) {
      ids.add(r.stream().map(i -> new IncidentId(i.id)).toList());
    }
    List<IncidentEvent> events = new ArrayList<>();
    for (IncidentRow inc : touched) {
      Incident after = after(inc);
      boolean open = inc.status.isOpen();
      if (inc.isNew()) {
        events.add(new IncidentEvent.Opened(after, inc.added));
      }
      List<Alert> firing = inc.isNew() ? List.of() : inc.added;
      List<Alert> resolved = open ? inc.resolved : List.of();
      if (!firing.isEmpty() || !resolved.isEmpty()) {
        events.add(new IncidentEvent.AlertsChanged(after, firing, resolved));
      }
      if (inc.status == IncidentStatus.RESOLVED && (inc.isNew() || inc.loaded.status().isOpen())) {
        events.add(new IncidentEvent.Resolved(after, "alertmanager"));
      }
    }
    List<IngestResult.StoredState> stored = new ArrayList<>(named.size());
    for (AlertRow a : named) {
      Long incident = a.incident();
      stored.add(new IngestResult.StoredState(a.fingerprint, a.startsAt, a.status, incident == null ? null : new IncidentId(incident)));
    }
    return new IngestResult(ids, events, stored);
  }

  /** The incident as the commit leaves it. */
  private Incident after(IncidentRow inc) {
    Instant at = Instant.ofEpochMilli(now);
    boolean resolvedNow = inc.status == IncidentStatus.RESOLVED && (inc.isNew() || inc.loaded.status().isOpen());
    if (inc.isNew()) {
      return new Incident(new IncidentId(inc.id), inc.status, inc.triage.severity(), inc.triage.type(), inc.triage.team(), inc.title,
          inc.groupKey, inc.labels, inc.alertCount, inc.firingCount, at, null, null, resolvedNow ? at : null,
          resolvedNow ? "alertmanager" : null, inc.triage.drop());
    }
    Incident l = inc.loaded;
    return new Incident(l.id(), resolvedNow ? IncidentStatus.RESOLVED : l.status(), l.severity(), l.type(), l.team(), l.title(),
        l.groupKey(), l.labels(), inc.alertCount, inc.firingCount, l.openedAt(), l.acknowledgedAt(), l.acknowledgedBy(),
        resolvedNow ? at : l.resolvedAt(), resolvedNow ? "alertmanager" : l.resolvedBy(), l.dropped());
  }

  // ---------------------------------------------------------------- wording

  static String key(String fingerprint, String startsAt) {
    return fingerprint + '\0' + startsAt;
  }

  /** Up to five "name on instance", then "...". */
  private static String names(List<Alert> alerts) {
    List<String> names = new ArrayList<>();
    for (Alert a : alerts) {
      if (names.size() == 5) {
        names.add("...");
        break;
      }
      String instance = a.labels().get("instance");
      names.add(a.alertname() + (instance == null ? "" : " on " + instance));
    }
    return String.join(", ", names);
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  static String title(Alert a) {
    String summary = a.annotations().get("summary");
    if (summary != null && !summary.isBlank()) {
      return summary.length() > 200 ? summary.substring(0, 197) + "..." : summary;
    }
    String instance = a.labels().get("instance");
    String name = a.alertname().isEmpty() ? "alert " + a.fingerprint() : a.alertname();
    return instance == null ? name : name + " on " + instance;
  }
}
