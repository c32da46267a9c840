package dev.vigil.store;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.classify.Severity;
import dev.vigil.classify.Triage;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentChange;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** {@link IncidentStore} in SQL, shared by SQLite and PostgreSQL through {@link Dialect}. */
public final class SqlIncidentStore implements IncidentStore {
  /** Values per IN list; with their startsAt values well under SQLite's (32766) and PostgreSQL's (65535) parameter limits. */
  private static final int CHUNK = 4000;
  private static final String INCIDENT_COLUMNS = "id, group_key, status, severity, type, team, title, labels, alert_count, "
      + "firing_count, dropped, opened_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by";

  private final Database db;
  private final Dialect d;

  public SqlIncidentStore(Database db) {
    this.db = db;
    this.d = db.dialect();
  }

  // ---------------------------------------------------------------- ingest

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
  }

  /** An incident touched by this batch, existing or about to be inserted. */
  private static final class IncidentRow {
    Long id; // null until allocated, for new incidents
    final boolean isNew;
    final String groupKey;
    IncidentStatus status;
    int alertCount;
    int firingCount;
    int addedAlerts;
    int resolvedAlerts;
    final int loadedAlertCount;
    final int loadedFiringCount;
    final List<String> addedNames = new ArrayList<>();
    final List<String> resolvedNames = new ArrayList<>();
    // only for new incidents
    Triage.Outcome triage;
    String title;
    Map<String, String> labels;

    IncidentRow(Long id, boolean isNew, String groupKey, IncidentStatus status, int alertCount, int firingCount) {
      this.id = id;
      this.isNew = isNew;
      this.groupKey = groupKey;
      this.status = status;
      this.alertCount = alertCount;
      this.firingCount = firingCount;
      this.loadedAlertCount = alertCount;
      this.loadedFiringCount = firingCount;
    }
  }

  @Override
  public Future<IngestResult> ingest(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    // replicas ingesting the same alert or group at once: the loser of the race reads the winner's rows and merges
    return db.inTransactionRetryingConflicts(conn -> new Batch(conn, requests, triage, now).run());
  }

  /** One ingest transaction: read what exists, decide in memory, write in batches. */
  private final class Batch {
    final SqlConnection conn;
    final List<List<AlertIntake>> requests;
    final Triage triage;
    final long now;
    final Map<String, AlertRow> alerts = new LinkedHashMap<>(); // fingerprint + '\0' + startsAt; new ones in arrival order
    final Map<String, AlertRow> firingByFingerprint = new HashMap<>();
    final Map<Long, IncidentRow> incidentsById = new LinkedHashMap<>();
    final Map<String, IncidentRow> openByGroup = new HashMap<>();
    final Set<IncidentRow> touched = new LinkedHashSet<>(); // in the order first touched
    final List<List<IncidentRow>> perRequest = new ArrayList<>();

    Batch(SqlConnection conn, List<List<AlertIntake>> requests, Triage triage, Instant now) {
      this.conn = conn;
      this.requests = requests;
      this.triage = triage;
      this.now = now.toEpochMilli();
    }

    Future<IngestResult> run() {
      return loadAlerts()
          .compose(v -> loadIncidents())
          .compose(v -> {
            decide();
            return allocateIncidentIds();
          })
          .compose(v -> writeIncidents())
          .compose(v -> writeAlerts())
          .compose(v -> writeTimeline())
          .map(v -> result());
    }

    private Future<Void> loadAlerts() {
      // Every occurrence of the batch's fingerprints that is firing, plus the exact occurrences named.
      Map<String, Set<String>> startsAtByFingerprint = new LinkedHashMap<>();
      for (List<AlertIntake> r : requests) {
        for (AlertIntake a : r) {
          startsAtByFingerprint.computeIfAbsent(a.alert().fingerprint(), k -> new LinkedHashSet<>()).add(a.alert().startsAt().toString());
        }
      }
      return inChunks(startsAtByFingerprint.keySet(), chunk -> {
        Set<String> distinct = new LinkedHashSet<>();
        chunk.forEach(f -> distinct.addAll(startsAtByFingerprint.get(f)));
        JsonArray startsAt = new JsonArray(new ArrayList<Object>(distinct));
        return conn.preparedQuery(d.sql("SELECT fingerprint, starts_at, incident_id, status FROM alerts WHERE fingerprint IN ("
                + d.selectJsonValues() + ") AND (status = 'firing' OR starts_at IN (" + d.selectJsonValues() + "))"))
            .execute(Tuple.of(d.jsonParam(new JsonArray(new ArrayList<Object>(chunk))), d.jsonParam(startsAt)))
            .map(rs -> {
              for (Row row : rs) {
                AlertRow a = new AlertRow(row.getString("fingerprint"), row.getString("starts_at"),
                    row.getValue("incident_id") == null ? null : Rows.getLong(row, "incident_id"),
                    AlertStatus.fromWire(row.getString("status")));
                alerts.put(key(a.fingerprint, a.startsAt), a);
                if (a.status == AlertStatus.FIRING) {
                  firingByFingerprint.put(a.fingerprint, a);
                }
              }
              return null;
            });
      });
    }

    private Future<Void> loadIncidents() {
      Set<String> groups = new LinkedHashSet<>();
      for (List<AlertIntake> r : requests) {
        for (AlertIntake a : r) {
          groups.add(a.groupKey());
        }
      }
      Set<Long> ids = new LinkedHashSet<>();
      for (AlertRow a : alerts.values()) {
        if (a.incidentId != null) {
          ids.add(a.incidentId);
        }
      }
      Future<Void> byGroup = inChunks(groups, chunk -> conn
          .preparedQuery(d.sql("SELECT id, group_key, status, alert_count, firing_count FROM incidents WHERE status <> 'resolved' AND group_key IN ("
              + d.selectJsonValues() + ")"))
          .execute(Tuple.of(d.jsonParam(new JsonArray(new ArrayList<Object>(chunk)))))
          .map(rs -> {
            rs.forEach(this::remember);
            return null;
          }));
      return byGroup.compose(v -> inChunks(ids, chunk -> conn
          .preparedQuery(d.sql("SELECT id, group_key, status, alert_count, firing_count FROM incidents WHERE id IN (" + marks(chunk.size()) + ")"))
          .execute(Tuple.from(new ArrayList<Object>(chunk)))
          .map(rs -> {
            rs.forEach(this::remember);
            return null;
          })));
    }

    private void remember(Row row) {
      long id = Rows.getLong(row, "id");
      if (incidentsById.containsKey(id)) {
        return;
      }
      IncidentRow inc = new IncidentRow(id, false, row.getString("group_key"),
          IncidentStatus.parse(row.getString("status")).orElseThrow(),
          Rows.getInt(row, "alert_count"), Rows.getInt(row, "firing_count"));
      incidentsById.put(id, inc);
      if (inc.status.isOpen()) {
        openByGroup.put(inc.groupKey, inc);
      }
    }

    /** Applies every alert in arrival order to the in-memory picture. */
    private void decide() {
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
      if (row.status == alert.status()) {
        return row.incidentId == null ? null : incidentsById.get(row.incidentId); // a repeat: nothing changes
      }
      row.changed = true;
      row.latest = alert;
      if (alert.status() == AlertStatus.RESOLVED) {
        row.status = AlertStatus.RESOLVED;
        firingByFingerprint.remove(row.fingerprint);
        IncidentRow inc = row.incidentId == null ? null : incidentsById.get(row.incidentId);
        if (inc != null) {
          inc.firingCount--;
          inc.resolvedAlerts++;
          addName(inc.resolvedNames, alert);
          touch(inc);
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
      IncidentRow previous = row.incidentId == null ? null : incidentsById.get(row.incidentId);
      IncidentRow inc = openIncident(intake);
      if (previous == inc) {
        inc.firingCount++;
        inc.addedAlerts++;
        addName(inc.addedNames, alert);
        touch(inc);
      } else {
        if (previous != null) {
          previous.alertCount--;
          touch(previous);
        }
        attach(row, inc, true);
      }
      return inc;
    }

    private IncidentRow openIncident(AlertIntake intake) {
      IncidentRow inc = openByGroup.get(intake.groupKey());
      if (inc == null) {
        inc = new IncidentRow(null, true, intake.groupKey(), IncidentStatus.TRIGGERED, 0, 0);
        Map<String, String> labels = intake.groupLabels().isEmpty() ? intake.alert().labels() : intake.groupLabels();
        inc.labels = labels;
        inc.triage = triage.triage(labels, Instant.ofEpochMilli(now));
        inc.title = title(intake.alert());
        openByGroup.put(intake.groupKey(), inc);
        touch(inc);
      }
      return inc;
    }

    private void attach(AlertRow row, IncidentRow inc, boolean firing) {
      row.incidentId = inc.id; // null for new incidents: resolved after allocation
      row.pendingIncident = inc;
      inc.alertCount++;
      if (firing) {
        inc.firingCount++;
        inc.addedAlerts++;
        addName(inc.addedNames, row.latest);
      } else {
        inc.resolvedAlerts++;
        addName(inc.resolvedNames, row.latest);
      }
      touch(inc);
    }

    private void touch(IncidentRow inc) {
      touched.add(inc);
    }

    private Future<Void> allocateIncidentIds() {
      List<IncidentRow> fresh = touched.stream().filter(i -> i.isNew).toList();
      return d.allocateIds(conn, "incidents", fresh.size()).map(ids -> {
        for (int i = 0; i < fresh.size(); i++) {
          fresh.get(i).id = ids.get(i);
        }
        return null;
      });
    }

    private Future<Void> writeIncidents() {
      List<JsonArray> inserts = new ArrayList<>();
      List<Tuple> updates = new ArrayList<>();
      for (IncidentRow inc : touched) {
        boolean resolved = inc.status == IncidentStatus.RESOLVED;
        if (inc.isNew) {
          inserts.add(row(inc.id, inc.groupKey, inc.status.wire(), inc.triage.severity().wire(),
              inc.triage.type(), inc.triage.team(), inc.title, Json.write(inc.labels), inc.alertCount, inc.firingCount,
              inc.triage.drop() ? 1 : 0, now, resolved ? now : null, resolved ? "alertmanager" : null, now));
        } else {
          updates.add(Tuple.from(new Object[] {inc.alertCount - inc.loadedAlertCount, inc.firingCount - inc.loadedFiringCount,
              resolved, resolved, now, resolved, "alertmanager", now, inc.id}));
        }
      }
      Future<Void> ins = bulkInsert("incidents (id, group_key, status, severity, type, team, title, labels, alert_count, "
          + "firing_count, dropped, opened_at, resolved_at, resolved_by, updated_at)",
          List.of(B, T, T, T, T, T, T, T, B, B, B, B, B, T, B), inserts);
      // Deltas and a conditional status, so that a concurrent acknowledgement is never overwritten.
      return ins.compose(v -> batch("UPDATE incidents SET alert_count = alert_count + ?, firing_count = firing_count + ?, "
          + "status = CASE WHEN ? THEN 'resolved' ELSE status END, "
          + "resolved_at = CASE WHEN ? THEN ? ELSE resolved_at END, resolved_by = CASE WHEN ? THEN ? ELSE resolved_by END, "
          + "updated_at = ? WHERE id = ?", updates));
    }

    private Future<Void> writeAlerts() {
      List<JsonArray> inserts = new ArrayList<>();
      List<Tuple> updates = new ArrayList<>();
      for (AlertRow a : alerts.values()) {
        Long incidentId = a.pendingIncident != null ? a.pendingIncident.id : a.incidentId;
        if (a.isNew) {
          Alert al = a.latest;
          inserts.add(row(a.fingerprint, a.startsAt, incidentId, a.status.wire(),
              al.endsAt() == null ? null : al.endsAt().toString(), Json.write(al.labels()), Json.write(al.annotations()),
              al.generatorUrl(), now, now));
        } else if (a.changed) {
          updates.add(Tuple.from(new Object[] {a.status.wire(),
              a.latest.endsAt() == null ? null : a.latest.endsAt().toString(), incidentId, now, a.fingerprint, a.startsAt}));
        }
      }
      return bulkInsert("alerts (fingerprint, starts_at, incident_id, status, ends_at, labels, annotations, generator_url, "
          + "received_at, updated_at)", List.of(T, T, B, T, T, T, T, T, B, B), inserts)
          .compose(v -> batch("UPDATE alerts SET status = ?, ends_at = ?, incident_id = ?, updated_at = ? WHERE fingerprint = ? AND starts_at = ?", updates));
    }

    private Future<Void> writeTimeline() {
      List<JsonArray> events = new ArrayList<>();
      for (IncidentRow inc : touched) {
        if (inc.isNew) {
          events.add(event(inc, "opened", "alertmanager", "opened: " + inc.title + " (severity " + inc.triage.severity().wire()
              + (inc.triage.team() == null ? "" : ", team " + inc.triage.team()) + (inc.triage.drop() ? ", recorded only" : "") + ")"));
        }
        if (inc.addedAlerts > 0) {
          events.add(event(inc, "alert", "alertmanager", count(inc.addedAlerts, "alert") + " firing: " + names(inc.addedNames)));
        }
        if (inc.resolvedAlerts > 0) {
          events.add(event(inc, "alert-resolved", "alertmanager", count(inc.resolvedAlerts, "alert") + " resolved: " + names(inc.resolvedNames)));
        }
        if (inc.status == IncidentStatus.RESOLVED) {
          events.add(event(inc, "resolved", "alertmanager", "resolved: all " + count(inc.alertCount, "alert") + " resolved"));
        }
      }
      return bulkInsert("timeline (incident_id, at, kind, actor, text)", List.of(B, B, T, T, T), events);
    }

    private JsonArray event(IncidentRow inc, String kind, String by, String text) {
      return row(inc.id, now, kind, by, text);
    }

    /** Inserts rows sent as one JSON parameter (see {@link Dialect#selectJsonRows}). */
    private Future<Void> bulkInsert(String into, List<String> types, List<JsonArray> rows) {
      if (rows.isEmpty()) {
        return Future.succeededFuture();
      }
      return conn.preparedQuery(d.sql("INSERT INTO " + into + " " + d.selectJsonRows(types)))
          .execute(Tuple.of(d.jsonParam(new JsonArray(new ArrayList<Object>(rows)))))
          .mapEmpty();
    }

    private IngestResult result() {
      List<List<IncidentId>> ids = new ArrayList<>();
      for (List<IncidentRow> r : perRequest) {
        ids.add(r.stream().map(i -> new IncidentId(i.id)).toList());
      }
      List<IncidentChange> changes = new ArrayList<>();
      for (IncidentRow inc : touched) {
        IncidentId id = new IncidentId(inc.id);
        if (inc.isNew) {
          changes.add(new IncidentChange(id, IncidentChange.Kind.OPENED));
        } else if (inc.addedAlerts > 0) {
          changes.add(new IncidentChange(id, IncidentChange.Kind.ALERTS_ADDED));
        }
        if (inc.resolvedAlerts > 0 && inc.status.isOpen()) {
          changes.add(new IncidentChange(id, IncidentChange.Kind.ALERTS_RESOLVED));
        }
        if (inc.status == IncidentStatus.RESOLVED) {
          changes.add(new IncidentChange(id, IncidentChange.Kind.RESOLVED));
        }
      }
      return new IngestResult(ids, changes);
    }

    private Future<Void> batch(String sql, List<Tuple> rows) {
      if (rows.isEmpty()) {
        return Future.succeededFuture();
      }
      if (rows.size() == 1) {
        return conn.preparedQuery(d.sql(sql)).execute(rows.get(0)).mapEmpty();
      }
      return conn.preparedQuery(d.sql(sql)).executeBatch(rows).mapEmpty();
    }
  }

  private static final String T = "text";
  private static final String B = "bigint";

  private static JsonArray row(Object... values) {
    JsonArray a = new JsonArray(new ArrayList<>(values.length));
    for (Object v : values) {
      a.add(v);
    }
    return a;
  }

  private static String key(String fingerprint, String startsAt) {
    return fingerprint + '\0' + startsAt;
  }

  private static void addName(List<String> names, Alert a) {
    if (names.size() < 5) {
      String instance = a.labels().get("instance");
      names.add(a.alertname() + (instance == null ? "" : " on " + instance));
    } else if (names.size() == 5) {
      names.add("...");
    }
  }

  private static String names(List<String> names) {
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

  private static String marks(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static <T> Future<Void> inChunks(Collection<T> items, Function<List<T>, Future<Void>> work) {
    List<T> all = new ArrayList<>(items);
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < all.size(); i += CHUNK) {
      List<T> chunk = all.subList(i, Math.min(all.size(), i + CHUNK));
      chain = chain.compose(v -> work.apply(chunk));
    }
    return chain;
  }

  // ---------------------------------------------------------------- queries

  @Override
  public Future<List<Incident>> list(IncidentQuery q) {
    StringBuilder sql = new StringBuilder("SELECT " + INCIDENT_COLUMNS + " FROM incidents WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    if (q.status() != null) {
      sql.append(" AND status = ?");
      params.add(q.status().wire());
    }
    if (q.team() != null) {
      sql.append(" AND team = ?");
      params.add(q.team());
    }
    if (q.severity() != null) {
      sql.append(" AND severity = ?");
      params.add(q.severity().wire());
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    params.add(q.limit());
    return db.reader().preparedQuery(d.sql(sql.toString())).execute(Tuple.from(params))
        .map(rs -> {
          List<Incident> out = new ArrayList<>();
          rs.forEach(r -> out.add(incident(r)));
          return out;
        });
  }

  @Override
  public Future<Optional<Incident>> get(IncidentId id) {
    return getWith(db.reader(), id);
  }

  private Future<Optional<Incident>> getWith(io.vertx.sqlclient.SqlClient client, IncidentId id) {
    return client.preparedQuery(d.sql("SELECT " + INCIDENT_COLUMNS + " FROM incidents WHERE id = ?"))
        .execute(Tuple.of(id.number()))
        .map(rs -> rs.size() == 0 ? Optional.<Incident>empty() : Optional.of(incident(rs.iterator().next())));
  }

  @Override
  public Future<List<StoredAlert>> alerts(IncidentId id) {
    return db.reader().preparedQuery(d.sql("SELECT fingerprint, starts_at, status, ends_at, labels, annotations, generator_url, received_at "
            + "FROM alerts WHERE incident_id = ? ORDER BY id"))
        .execute(Tuple.of(id.number()))
        .map(rs -> {
          List<StoredAlert> out = new ArrayList<>();
          for (Row r : rs) {
            String endsAt = r.getString("ends_at");
            Alert a = new Alert(r.getString("fingerprint"), Json.read(r.getString("labels")), Json.read(r.getString("annotations")),
                AlertStatus.fromWire(r.getString("status")), Instant.parse(r.getString("starts_at")),
                endsAt == null ? null : Instant.parse(endsAt), r.getString("generator_url"));
            out.add(new StoredAlert(a, id, Rows.getInstant(r, "received_at")));
          }
          return out;
        });
  }

  @Override
  public Future<List<TimelineEvent>> timeline(IncidentId id) {
    return db.reader().preparedQuery(d.sql("SELECT at, kind, actor, text FROM timeline WHERE incident_id = ? ORDER BY id"))
        .execute(Tuple.of(id.number()))
        .map(rs -> {
          List<TimelineEvent> out = new ArrayList<>();
          rs.forEach(r -> out.add(new TimelineEvent(Rows.getInstant(r, "at"), r.getString("kind"), r.getString("actor"), r.getString("text"))));
          return out;
        });
  }

  // ---------------------------------------------------------------- transitions

  @Override
  public Future<Incident> acknowledge(IncidentId id, String by, String text, Instant now) {
    return transition(id, now, current -> {
      if (current.status() == IncidentStatus.ACKNOWLEDGED) {
        return "incident " + id + " is already acknowledged by " + current.acknowledgedBy();
      }
      if (current.status() == IncidentStatus.RESOLVED) {
        return "incident " + id + " is resolved; there is nothing to acknowledge";
      }
      return null;
    }, "UPDATE incidents SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ?",
        Tuple.of(now.toEpochMilli(), by, now.toEpochMilli(), id.number()),
        new TimelineEvent(now, "acknowledged", by, text == null || text.isBlank() ? "acknowledged" : "acknowledged: " + text));
  }

  @Override
  public Future<Incident> resolve(IncidentId id, String by, String text, Instant now) {
    return transition(id, now, current -> current.status() == IncidentStatus.RESOLVED
            ? "incident " + id + " is already resolved (by " + current.resolvedBy() + ")" : null,
        "UPDATE incidents SET status = 'resolved', resolved_at = ?, resolved_by = ?, updated_at = ? WHERE id = ?",
        Tuple.of(now.toEpochMilli(), by, now.toEpochMilli(), id.number()),
        new TimelineEvent(now, "resolved", by, text == null || text.isBlank() ? "resolved" : "resolved: " + text));
  }

  private Future<Incident> transition(IncidentId id, Instant now, Function<Incident, String> refusal, String update,
      Tuple params, TimelineEvent event) {
    return db.inTransaction(conn -> getWith(conn, id).compose(found -> {
      Incident current = found.orElseThrow(() -> IncidentException.notFound(id));
      String why = refusal.apply(current);
      if (why != null) {
        return Future.failedFuture(new IncidentException(IncidentException.Reason.CONFLICT, why));
      }
      return conn.preparedQuery(d.sql(update)).execute(params)
          .compose(v -> insertEvent(conn, id, event))
          .compose(v -> getWith(conn, id))
          .map(Optional::orElseThrow);
    }));
  }

  @Override
  public Future<TimelineEvent> append(IncidentId id, TimelineEvent event) {
    return db.inTransaction(conn -> getWith(conn, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(IncidentException.notFound(id));
      }
      return insertEvent(conn, id, event).map(event);
    }));
  }

  private Future<Void> insertEvent(SqlConnection conn, IncidentId id, TimelineEvent e) {
    return conn.preparedQuery(d.sql("INSERT INTO timeline (incident_id, at, kind, actor, text) VALUES (?, ?, ?, ?, ?)"))
        .execute(Tuple.of(id.number(), e.at().toEpochMilli(), e.kind(), e.by(), e.text()))
        .mapEmpty();
  }

  private static Incident incident(Row r) {
    return new Incident(new IncidentId(Rows.getLong(r, "id")),
        IncidentStatus.parse(r.getString("status")).orElseThrow(),
        Severity.parse(r.getString("severity")).orElse(Severity.WARNING),
        r.getString("type"), r.getString("team"), r.getString("title"), r.getString("group_key"),
        Json.read(r.getString("labels")), Rows.getInt(r, "alert_count"), Rows.getInt(r, "firing_count"),
        Rows.getInstant(r, "opened_at"), Rows.getInstant(r, "acknowledged_at"), r.getString("acknowledged_by"),
        Rows.getInstant(r, "resolved_at"), r.getString("resolved_by"), Rows.getBool(r, "dropped"));
  }
}
