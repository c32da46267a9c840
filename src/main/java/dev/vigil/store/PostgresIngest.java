package dev.vigil.store;

import dev.vigil.alert.AlertStatus;
import dev.vigil.incident.IngestResult;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * One ingest transaction on PostgreSQL through the Vert.x SQL client (SQLite's runs on its writer
 * thread, {@link SqliteIngest}): read what exists, decide in memory, write. Independent statements
 * are sent without waiting for each other, so the client pipelines them: the two reads share a
 * round trip, and so do all the writes.
 */
final class PostgresIngest {
  private static final String T = "text";
  private static final String B = "bigint";

  private final SqlConnection conn;
  private final IngestPlan plan;

  PostgresIngest(SqlConnection conn, IngestPlan plan) {
    this.conn = conn;
    this.plan = plan;
  }

  Future<IngestResult> run() {
    // Every read here is a lookup by key. Until autovacuum has analysed a table (a minute or more
    // on a new database, which a storm fills meanwhile) the planner guesses 0.5 % of the rows per
    // key and reads the whole of alerts once per batch; this transaction never wants that
    // (ADR 0147). Sent with the reads, it costs no round trip.
    return Future.all(
            conn.query("SET LOCAL enable_seqscan = off").execute(),
            loadAlerts(),
            loadIncidents(
                "status <> 'resolved' AND group_key = ANY(?::text[])",
                plan.groupKeys(),
                String[]::new))
        .compose(v -> loadIncidents("id = ANY(?::bigint[])", plan.incidentIdsToLoad(), Long[]::new))
        .compose(
            v -> {
              plan.decide();
              return Dialect.POSTGRES.allocateIds(conn, "incidents", plan.newIncidents());
            })
        .compose(
            ids -> {
              plan.assignIds(ids);
              // in this order: alerts refer to incidents
              return Future.all(
                  List.of(
                      bulkInsert(
                          IngestPlan.INSERT_INCIDENTS,
                          List.of(B, T, T, T, T, T, T, T, B, B, B, B, B, T, B),
                          plan.incidentInserts()),
                      batch(IngestPlan.UPDATE_INCIDENT, plan.incidentUpdates()),
                      bulkInsert(
                          IngestPlan.INSERT_ALERTS,
                          List.of(T, T, B, T, T, T, T, T, B, B),
                          plan.alertInserts()),
                      batch(IngestPlan.UPDATE_ALERT, plan.alertUpdates()),
                      bulkInsert(
                          IngestPlan.INSERT_TIMELINE,
                          List.of(B, B, T, T, T),
                          plan.timelineRows())));
            })
        .map(v -> plan.result());
  }

  // Keys go as one array parameter compared with = ANY: an index lookup per key. (IN over a
  // set-returning
  // function of a JSON parameter made PostgreSQL hash-join against a scan of the whole table.)

  private Future<Void> loadAlerts() {
    // every occurrence of the batch's fingerprints (few each); kept: the firing one and those
    // named
    Map<String, Set<String>> named = plan.startsAtByFingerprint();
    if (named.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            Dialect.POSTGRES.sql(
                "SELECT fingerprint, starts_at, incident_id, status FROM alerts WHERE fingerprint = ANY(?::text[])"))
        .execute(Tuple.of((Object) named.keySet().toArray(new String[0])))
        .map(
            rs -> {
              for (Row row : rs) {
                String fingerprint = row.getString("fingerprint");
                String startsAt = row.getString("starts_at");
                AlertStatus status = AlertStatus.fromWire(row.getString("status"));
                if (status == AlertStatus.FIRING || named.get(fingerprint).contains(startsAt)) {
                  plan.loadedAlert(
                      fingerprint,
                      startsAt,
                      row.getValue("incident_id") == null ? null : Rows.getLong(row, "incident_id"),
                      status);
                }
              }
              return null;
            });
  }

  private <K> Future<Void> loadIncidents(String where, Set<K> keys, IntFunction<K[]> array) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            Dialect.POSTGRES.sql(
                "SELECT " + SqlIncidentStore.INCIDENT_COLUMNS + " FROM incidents WHERE " + where))
        .execute(Tuple.of((Object) keys.toArray(array.apply(0))))
        .map(
            rs -> {
              rs.forEach(r -> plan.loadedIncident(SqlIncidentStore.incident(r)));
              return null;
            });
  }

  /**
   * Inserts rows sent column by column, each column one typed array parameter that {@code unnest}
   * turns back into rows: binary arrays, with no JSON to build here or to parse in PostgreSQL.
   */
  private Future<Void> bulkInsert(String into, List<String> types, List<Object[]> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    StringBuilder sql =
        new StringBuilder("INSERT INTO ").append(into).append(" SELECT * FROM unnest(");
    Object[] columns = new Object[types.size()];
    for (int c = 0; c < types.size(); c++) {
      boolean text = types.get(c).equals(T);
      sql.append(c == 0 ? "" : ", ")
          .append('$')
          .append(c + 1)
          .append("::")
          .append(types.get(c))
          .append("[]");
      Object[] column = text ? new String[rows.size()] : new Long[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        Object v = rows.get(r)[c];
        column[r] = v == null ? null : text ? v.toString() : (Object) ((Number) v).longValue();
      }
      columns[c] = column;
    }
    return conn.preparedQuery(sql.append(')').toString()).execute(Tuple.from(columns)).mapEmpty();
  }

  private Future<Void> batch(String sql, List<Object[]> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> tuples = rows.stream().map(Tuple::from).toList();
    if (tuples.size() == 1) {
      return conn.preparedQuery(Dialect.POSTGRES.sql(sql)).execute(tuples.get(0)).mapEmpty();
    }
    return conn.preparedQuery(Dialect.POSTGRES.sql(sql)).executeBatch(tuples).mapEmpty();
  }
}
