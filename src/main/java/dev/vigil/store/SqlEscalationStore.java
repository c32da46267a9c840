package dev.vigil.store;

import dev.vigil.escalation.EscalationState;
import dev.vigil.escalation.EscalationStore;
import dev.vigil.escalation.Transition;
import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link EscalationStore} in SQL (table {@code escalations}, migration V2). A commit is a
 * compare-and-set on (step, status, due_at), so two timers, replicas or requests racing for the
 * same escalation page once.
 */
public final class SqlEscalationStore implements EscalationStore {
  private static final String COLUMNS = "incident_id, policy, step, state, due_at, started_at";

  /** Incident ids per {@code IN} list: well under SQLite's and PostgreSQL's parameter limits. */
  private static final int IN_LIMIT = 500;

  private final Database db;
  private final Dialect d;

  public SqlEscalationStore(Database db) {
    this.db = db;
    this.d = db.dialect();
  }

  @Override
  public Future<Optional<EscalationState>> get(IncidentId incident) {
    return db.reader()
        .preparedQuery(d.sql("SELECT " + COLUMNS + " FROM escalations WHERE incident_id = ?"))
        .execute(Tuple.of(incident.number()))
        .map(
            rs ->
                rs.size() == 0
                    ? Optional.<EscalationState>empty()
                    : Optional.of(state(rs.iterator().next())));
  }

  @Override
  public Future<List<EscalationState>> armed() {
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT "
                    + COLUMNS
                    + " FROM escalations WHERE due_at IS NOT NULL AND state IN ('active', 'snoozed') "
                    + "ORDER BY due_at"))
        .execute()
        .map(
            rs -> {
              List<EscalationState> out = new ArrayList<>();
              rs.forEach(r -> out.add(state(r)));
              return out;
            });
  }

  @Override
  public Future<List<EscalationState>> armedUntil(Instant until) {
    // due_at is set only while armed, so the range on index escalations_due finds exactly the
    // alarms due
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT "
                    + COLUMNS
                    + " FROM escalations WHERE due_at <= ? AND state IN ('active', 'snoozed') "
                    + "ORDER BY due_at"))
        .execute(Tuple.of(until.toEpochMilli()))
        .map(
            rs -> {
              List<EscalationState> out = new ArrayList<>();
              rs.forEach(r -> out.add(state(r)));
              return out;
            });
  }

  @Override
  public Future<Optional<Instant>> firstDueAfter(Instant after) {
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT due_at FROM escalations WHERE due_at > ? AND state IN ('active', 'snoozed') "
                    + "ORDER BY due_at LIMIT 1"))
        .execute(Tuple.of(after.toEpochMilli()))
        .map(
            rs ->
                rs.size() == 0
                    ? Optional.<Instant>empty()
                    : Optional.ofNullable(Rows.getInstant(rs.iterator().next(), "due_at")));
  }

  @Override
  public Future<Set<IncidentId>> snoozedAmong(Collection<IncidentId> incidents) {
    List<Long> ids = incidents.stream().map(IncidentId::number).distinct().toList();
    List<Future<Set<IncidentId>>> parts = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += IN_LIMIT) {
      List<Long> chunk = ids.subList(i, Math.min(ids.size(), i + IN_LIMIT));
      parts.add(
          db.reader()
              .preparedQuery(
                  d.sql(
                      "SELECT incident_id FROM escalations WHERE state = 'snoozed' AND incident_id IN ("
                          + SqlIncidentStore.marks(chunk.size())
                          + ")"))
              .execute(Tuple.from(new ArrayList<Object>(chunk)))
              .map(SqlEscalationStore::ids));
    }
    return Future.all(parts)
        .map(
            v -> {
              Set<IncidentId> out = new HashSet<>();
              parts.forEach(p -> out.addAll(p.result()));
              return out;
            });
  }

  @Override
  public Future<Set<IncidentId>> snoozed() {
    return db.reader()
        .preparedQuery(d.sql("SELECT incident_id FROM escalations WHERE state = 'snoozed'"))
        .execute()
        .map(SqlEscalationStore::ids);
  }

  private static Set<IncidentId> ids(RowSet<Row> rs) {
    Set<IncidentId> out = new HashSet<>();
    rs.forEach(r -> out.add(new IncidentId(Rows.getLong(r, "incident_id"))));
    return out;
  }

  @Override
  public Future<List<IncidentId>> undecided(Instant since, Instant before) {
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT id FROM incidents WHERE status = 'triggered' AND dropped = 0 AND opened_at >= ? "
                    + "AND opened_at < ? AND id NOT IN (SELECT incident_id FROM escalations) AND id NOT IN (SELECT incident_id FROM timeline "
                    + "WHERE kind IN ('not-paged', 'escalation-held')) ORDER BY id"))
        .execute(Tuple.of(since.toEpochMilli(), before.toEpochMilli()))
        .map(
            rs -> {
              List<IncidentId> out = new ArrayList<>();
              rs.forEach(r -> out.add(new IncidentId(Rows.getLong(r, "id"))));
              return out;
            });
  }

  @Override
  public Future<List<Boolean>> commitAll(List<Transition> transitions, Instant now) {
    if (transitions.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return db.inTransaction(
        conn -> {
          List<Boolean> results = new ArrayList<>();
          Future<Void> chain = Future.succeededFuture();
          for (Transition t : transitions) {
            chain =
                chain.compose(
                    v ->
                        (t.next() == null
                                ? Future.succeededFuture(true)
                                : swap(conn, t.expected(), t.next(), now))
                            .compose(
                                ok -> {
                                  results.add(ok);
                                  if (!ok) {
                                    return Future.succeededFuture();
                                  }
                                  return SqlOutbox.insertEvents(conn, d, t.incident(), t.events())
                                      .compose(
                                          v2 -> SqlOutbox.insertIntents(conn, d, t.intents(), now))
                                      .mapEmpty();
                                }));
          }
          return chain.map(v -> results);
        });
  }

  private Future<Boolean> swap(
      SqlConnection conn, EscalationState expected, EscalationState next, Instant now) {
    if (expected == null) {
      return conn.preparedQuery(
              d.sql(
                  "INSERT INTO escalations (incident_id, policy, step, state, due_at, started_at, updated_at) "
                      + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id) DO NOTHING"))
          .execute(
              Tuple.of(
                  next.incident().number(),
                  next.policy(),
                  next.step(),
                  next.status().wire(),
                  Rows.millis(next.dueAt()),
                  next.startedAt().toEpochMilli(),
                  now.toEpochMilli()))
          .map(rs -> rs.rowCount() == 1);
    }
    String dueClause = expected.dueAt() == null ? "due_at IS NULL" : "due_at = ?";
    List<Object> params =
        new ArrayList<>(List.of(next.policy(), next.step(), next.status().wire()));
    params.add(Rows.millis(next.dueAt()));
    params.addAll(
        List.of(
            now.toEpochMilli(),
            next.incident().number(),
            expected.step(),
            expected.status().wire()));
    if (expected.dueAt() != null) {
      params.add(expected.dueAt().toEpochMilli());
    }
    return conn.preparedQuery(
            d.sql(
                "UPDATE escalations SET policy = ?, step = ?, state = ?, due_at = ?, updated_at = ? "
                    + "WHERE incident_id = ? AND step = ? AND state = ? AND "
                    + dueClause))
        .execute(Tuple.from(params))
        .map(rs -> rs.rowCount() == 1);
  }

  private static EscalationState state(Row r) {
    return new EscalationState(
        new IncidentId(Rows.getLong(r, "incident_id")),
        r.getString("policy"),
        Rows.getInt(r, "step"),
        EscalationState.Status.parse(r.getString("state")),
        Rows.getInstant(r, "due_at"),
        Rows.getInstant(r, "started_at"));
  }
}
