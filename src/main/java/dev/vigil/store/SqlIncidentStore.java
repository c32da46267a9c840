package dev.vigil.store;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.Severity;
import dev.vigil.incident.Source;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.incident.Triage;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/** {@link IncidentStore} in SQL, shared by SQLite and PostgreSQL through {@link Dialect}. */
public final class SqlIncidentStore implements IncidentStore {
  static final String INCIDENT_COLUMNS =
      "id, group_key, status, severity, type, team, title, labels, alert_count, "
          + "firing_count, dropped, opened_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by";

  private final Database db;
  private final Dialect d;
  private final SqliteWriter writer;
  private final Consumer<List<IncidentEvent>> committed;

  /** A store whose writes publish nothing (tools and tests that look at the rows only). */
  public SqlIncidentStore(Database db) {
    this(db, events -> {});
  }

  /**
   * @param committed gets the events of every write, once committed, in commit order: on SQLite
   *     from the writer thread, on PostgreSQL from the transaction's completion. It must not block.
   */
  public SqlIncidentStore(Database db, Consumer<List<IncidentEvent>> committed) {
    this.db = db;
    this.d = db.dialect();
    this.writer = db.sqliteWriter();
    this.committed = committed;
  }

  private void publish(List<IncidentEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      committed.accept(events);
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(SqlIncidentStore.class)
          .atError()
          .setCause(e)
          .log("store: publishing committed incident events failed; the change is stored");
    }
  }

  // ---------------------------------------------------------------- ingest

  @Override
  public Future<IngestResult> ingest(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    return ingest(requests, triage, now, null);
  }

  @Override
  public List<AlertIntake> prepare(List<AlertIntake> request) {
    return new PreparedAlerts(request);
  }

  @Override
  public Future<IngestResult> ingest(
      List<List<AlertIntake>> requests, Triage triage, Instant now, Runnable committed) {
    if (writer != null) {
      // the plan (and the rows' JSON) is made here, on the caller's thread; the writer only writes
      IngestPlan plan;
      try {
        plan = new IngestPlan(requests, triage, now);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      return writer.submit(
          tx -> SqliteIngest.run(tx, writer.alertKeys(), plan),
          committed,
          r -> publish(r.events()));
    }
    // replicas ingesting the same alert or group at once: the loser of the race reads the winner's
    // rows and merges
    return db.inTransactionRetryingConflicts(
            conn -> new PostgresIngest(conn, new IngestPlan(requests, triage, now)).run())
        .onSuccess(
            r -> {
              publish(r.events());
              if (committed != null) {
                committed.run();
              }
            });
  }

  static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  // ---------------------------------------------------------------- queries

  @Override
  public Future<List<Incident>> list(IncidentQuery q) {
    StringBuilder sql =
        new StringBuilder("SELECT " + INCIDENT_COLUMNS + " FROM incidents WHERE 1 = 1");
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
    return db.reader()
        .preparedQuery(d.sql(sql.toString()))
        .execute(Tuple.from(params))
        .map(
            rs -> {
              List<Incident> out = new ArrayList<>();
              rs.forEach(r -> out.add(incident(r)));
              return out;
            });
  }

  @Override
  public Future<Optional<Incident>> get(IncidentId id) {
    return getWith(db.reader(), id);
  }

  private Future<Optional<Incident>> getWith(SqlClient client, IncidentId id) {
    return getWith(client, id, "");
  }

  /**
   * With {@code suffix} {@code FOR UPDATE} (PostgreSQL): the row stays locked until the transaction
   * ends.
   */
  private Future<Optional<Incident>> getWith(SqlClient client, IncidentId id, String suffix) {
    return client
        .preparedQuery(
            d.sql("SELECT " + INCIDENT_COLUMNS + " FROM incidents WHERE id = ?" + suffix))
        .execute(Tuple.of(id.number()))
        .map(
            rs ->
                rs.size() == 0
                    ? Optional.<Incident>empty()
                    : Optional.of(incident(rs.iterator().next())));
  }

  @Override
  public Future<List<StoredAlert>> alerts(IncidentId id) {
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT fingerprint, starts_at, status, ends_at, labels, annotations, generator_url, received_at "
                    + "FROM alerts WHERE incident_id = ? ORDER BY id"))
        .execute(Tuple.of(id.number()))
        .map(
            rs -> {
              List<StoredAlert> out = new ArrayList<>();
              for (Row r : rs) {
                String endsAt = r.getString("ends_at");
                Alert a =
                    new Alert(
                        r.getString("fingerprint"),
                        Json.read(r.getString("labels")),
                        Json.read(r.getString("annotations")),
                        AlertStatus.fromWire(r.getString("status")),
                        Instant.parse(r.getString("starts_at")),
                        endsAt == null ? null : Instant.parse(endsAt),
                        r.getString("generator_url"));
                out.add(new StoredAlert(a, id, Rows.getInstant(r, "received_at")));
              }
              return out;
            });
  }

  @Override
  public Future<List<TimelineEvent>> timeline(IncidentId id) {
    return db.reader()
        .preparedQuery(
            d.sql("SELECT at, kind, actor, text FROM timeline WHERE incident_id = ? ORDER BY id"))
        .execute(Tuple.of(id.number()))
        .map(
            rs -> {
              List<TimelineEvent> out = new ArrayList<>();
              rs.forEach(
                  r ->
                      out.add(
                          new TimelineEvent(
                              Rows.getInstant(r, "at"),
                              r.getString("kind"),
                              r.getString("actor"),
                              r.getString("text"))));
              return out;
            });
  }

  // ---------------------------------------------------------------- transitions

  @Override
  public Future<Incident> acknowledge(IncidentId id, String by, String text, Instant now) {
    return acknowledge(id, by, text, now, Source.VIGIL);
  }

  @Override
  public Future<Incident> acknowledge(
      IncidentId id, String by, String text, Instant now, Source source) {
    return transition(
        id,
        current -> {
          if (current.status() == IncidentStatus.ACKNOWLEDGED) {
            return "incident " + id + " is already acknowledged by " + current.acknowledgedBy();
          }
          if (current.status() == IncidentStatus.RESOLVED) {
            return "incident " + id + " is resolved; there is nothing to acknowledge";
          }
          return null;
        },
        "UPDATE incidents SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ?",
        new Object[] {now.toEpochMilli(), by, now.toEpochMilli(), id.number()},
        new TimelineEvent(
            now,
            "acknowledged",
            by,
            text == null || text.isBlank() ? "acknowledged" : "acknowledged: " + text),
        inc -> new IncidentEvent.Acknowledged(inc, by, source));
  }

  @Override
  public Future<Incident> resolve(IncidentId id, String by, String text, Instant now) {
    return resolve(id, by, text, now, Source.VIGIL);
  }

  @Override
  public Future<Incident> resolve(
      IncidentId id, String by, String text, Instant now, Source source) {
    return transition(
        id,
        current ->
            current.status() == IncidentStatus.RESOLVED
                ? "incident " + id + " is already resolved (by " + current.resolvedBy() + ")"
                : null,
        "UPDATE incidents SET status = 'resolved', resolved_at = ?, resolved_by = ?, updated_at = ? WHERE id = ?",
        new Object[] {now.toEpochMilli(), by, now.toEpochMilli(), id.number()},
        new TimelineEvent(
            now, "resolved", by, text == null || text.isBlank() ? "resolved" : "resolved: " + text),
        inc -> new IncidentEvent.Resolved(inc, by, source));
  }

  /**
   * The acknowledgement is cleared, so the incident reads as it did before it (time to acknowledge
   * counts from a later one).
   */
  @Override
  public Future<Incident> unacknowledge(
      IncidentId id, String by, String text, Instant now, Source source) {
    return transition(
        id,
        current ->
            current.status() == IncidentStatus.ACKNOWLEDGED
                ? null
                : "incident "
                    + id
                    + " is "
                    + current.status().wire()
                    + ", not acknowledged; there is nothing to unacknowledge",
        "UPDATE incidents SET status = 'triggered', acknowledged_at = NULL, acknowledged_by = NULL, updated_at = ? WHERE id = ?",
        new Object[] {now.toEpochMilli(), id.number()},
        new TimelineEvent(
            now,
            "unacknowledged",
            by,
            text == null || text.isBlank()
                ? "unacknowledged: triggered again"
                : "unacknowledged: " + text),
        inc -> new IncidentEvent.Unacknowledged(inc, by, source));
  }

  /**
   * Reads the incident, refuses the change ({@code refusal} says why) or applies it with a timeline
   * line, and publishes it.
   */
  private Future<Incident> transition(
      IncidentId id,
      Function<Incident, String> refusal,
      String update,
      Object[] params,
      TimelineEvent line,
      Function<Incident, IncidentEvent> event) {
    if (writer != null) {
      return writer.submit(
          tx -> {
            Incident current = jdbcGet(tx, id).orElseThrow(() -> IncidentException.notFound(id));
            refuse(refusal.apply(current));
            PreparedStatement ps = tx.prepare(update);
            SqliteIngest.bind(ps, params);
            ps.executeUpdate();
            jdbcInsertLine(tx, id, line);
            return jdbcGet(tx, id).orElseThrow();
          },
          inc -> publish(List.of(event.apply(inc))));
    }
    // locked while decided and changed: replicas acknowledging, unacknowledging and resolving the
    // same incident at
    // once take turns, so none applies its change to a status it did not see (a resolved incident
    // triggered again)
    return db.inTransaction(
            conn ->
                getWith(conn, id, d.forUpdate())
                    .compose(
                        found -> {
                          Incident current =
                              found.orElseThrow(() -> IncidentException.notFound(id));
                          refuse(refusal.apply(current));
                          return conn.preparedQuery(d.sql(update))
                              .execute(Tuple.from(params))
                              .compose(v -> insertEvent(conn, id, line))
                              .compose(v -> getWith(conn, id))
                              .map(Optional::orElseThrow);
                        }))
        .onSuccess(inc -> publish(List.of(event.apply(inc))));
  }

  private static void refuse(String why) {
    if (why != null) {
      throw new IncidentException(IncidentException.Reason.CONFLICT, why);
    }
  }

  @Override
  public Future<TimelineEvent> append(IncidentId id, TimelineEvent line) {
    return appendPublishing(id, line, new IncidentEvent.Noted(id, line));
  }

  @Override
  public Future<TimelineEvent> runLine(IncidentId id, TimelineEvent line) {
    return appendPublishing(id, line, new IncidentEvent.RunChanged(id, line));
  }

  private Future<TimelineEvent> appendPublishing(
      IncidentId id, TimelineEvent line, IncidentEvent event) {
    if (writer != null) {
      return writer.submit(
          tx -> {
            if (jdbcGet(tx, id).isEmpty()) {
              throw IncidentException.notFound(id);
            }
            jdbcInsertLine(tx, id, line);
            return line;
          },
          l -> publish(List.of(event)));
    }
    return db.inTransaction(
            conn ->
                getWith(conn, id)
                    .compose(
                        found -> {
                          if (found.isEmpty()) {
                            return Future.<TimelineEvent>failedFuture(
                                IncidentException.notFound(id));
                          }
                          return insertEvent(conn, id, line).map(line);
                        }))
        .onSuccess(l -> publish(List.of(event)));
  }

  static final String INSERT_LINE =
      "INSERT INTO " + IngestPlan.INSERT_TIMELINE + " VALUES (?, ?, ?, ?, ?)";

  private static Optional<Incident> jdbcGet(SqliteWriter.Tx tx, IncidentId id) throws SQLException {
    PreparedStatement ps =
        tx.prepare("SELECT " + INCIDENT_COLUMNS + " FROM incidents WHERE id = ?");
    ps.setLong(1, id.number());
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(JdbcRows.incident(rs)) : Optional.empty();
    }
  }

  private static void jdbcInsertLine(SqliteWriter.Tx tx, IncidentId id, TimelineEvent e)
      throws SQLException {
    PreparedStatement ps = tx.prepare(INSERT_LINE);
    SqliteIngest.bind(
        ps, new Object[] {id.number(), e.at().toEpochMilli(), e.kind(), e.by(), e.text()});
    ps.executeUpdate();
  }

  private Future<Void> insertEvent(SqlConnection conn, IncidentId id, TimelineEvent e) {
    return conn.preparedQuery(d.sql(INSERT_LINE))
        .execute(Tuple.of(id.number(), e.at().toEpochMilli(), e.kind(), e.by(), e.text()))
        .mapEmpty();
  }

  static Incident incident(Row r) {
    return new Incident(
        new IncidentId(Rows.getLong(r, "id")),
        IncidentStatus.parse(r.getString("status")).orElseThrow(),
        Severity.parse(r.getString("severity")).orElse(Severity.WARNING),
        r.getString("type"),
        r.getString("team"),
        r.getString("title"),
        r.getString("group_key"),
        Json.read(r.getString("labels")),
        Rows.getInt(r, "alert_count"),
        Rows.getInt(r, "firing_count"),
        Rows.getInstant(r, "opened_at"),
        Rows.getInstant(r, "acknowledged_at"),
        r.getString("acknowledged_by"),
        Rows.getInstant(r, "resolved_at"),
        r.getString("resolved_by"),
        Rows.getBool(r, "dropped"));
  }
}
