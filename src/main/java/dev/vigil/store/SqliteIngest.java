package dev.vigil.store;

import dev.vigil.alert.AlertStatus;
import dev.vigil.incident.IngestResult;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@link IngestPlan} carried out on the {@link SqliteWriter}'s thread: plain JDBC, prepared
 * statements reused, rows written with {@code executeBatch}, no JSON-encoded parameters.
 */
final class SqliteIngest {
  /** Keys per IN list: lists of these sizes are prepared once each and reused. */
  private static final int[] LIST_SIZES = {1, 4, 16, 64, 256};

  private SqliteIngest() {}

  static IngestResult run(SqliteWriter.Tx tx, IngestPlan plan) throws SQLException {
    loadAlerts(tx, plan);
    loadIncidents(tx, plan, "status <> 'resolved' AND group_key", plan.groupKeys());
    loadIncidents(tx, plan, "id", plan.incidentIdsToLoad());
    plan.decide();
    int fresh = plan.newIncidents();
    if (fresh > 0) {
      plan.assignIds(allocate(tx, fresh));
    }
    insert(tx, IngestPlan.INSERT_INCIDENTS, 15, plan.incidentInserts());
    update(tx, IngestPlan.UPDATE_INCIDENT, plan.incidentUpdates());
    insert(tx, IngestPlan.INSERT_ALERTS, 10, plan.alertInserts());
    update(tx, IngestPlan.UPDATE_ALERT, plan.alertUpdates());
    insert(tx, IngestPlan.INSERT_TIMELINE, 5, plan.timelineRows());
    return plan.result();
  }

  private static void loadAlerts(SqliteWriter.Tx tx, IngestPlan plan) throws SQLException {
    // every occurrence of the batch's fingerprints (few each); kept: the firing one and those named
    Map<String, Set<String>> named = plan.startsAtByFingerprint();
    List<String> all = new ArrayList<>(named.keySet());
    int i = 0;
    while (i < all.size()) {
      int size = listSize(all.size() - i);
      PreparedStatement ps =
          tx.prepare(
              "SELECT fingerprint, starts_at, incident_id, status FROM alerts WHERE fingerprint IN ("
                  + SqlIncidentStore.marks(size)
                  + ")");
      for (int k = 0; k < size; k++) {
        ps.setString(k + 1, all.get(Math.min(i + k, all.size() - 1)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String fingerprint = rs.getString(1);
          String startsAt = rs.getString(2);
          AlertStatus status = AlertStatus.fromWire(rs.getString(4));
          if (status == AlertStatus.FIRING || named.get(fingerprint).contains(startsAt)) {
            long incident = rs.getLong(3);
            plan.loadedAlert(fingerprint, startsAt, rs.wasNull() ? null : incident, status);
          }
        }
      }
      i += size;
    }
  }

  private static <K> void loadIncidents(
      SqliteWriter.Tx tx, IngestPlan plan, String column, Collection<K> keys) throws SQLException {
    List<K> all = new ArrayList<>(keys);
    int i = 0;
    while (i < all.size()) {
      int size = listSize(all.size() - i);
      PreparedStatement ps =
          tx.prepare(
              "SELECT "
                  + SqlIncidentStore.INCIDENT_COLUMNS
                  + " FROM incidents WHERE "
                  + column
                  + " IN ("
                  + SqlIncidentStore.marks(size)
                  + ")");
      for (int k = 0; k < size; k++) {
        // a short last chunk repeats its last key to fill the prepared list
        ps.setObject(k + 1, all.get(Math.min(i + k, all.size() - 1)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.loadedIncident(JdbcRows.incident(rs));
        }
      }
      i += size;
    }
  }

  /** The smallest prepared list size that holds {@code n} keys, or the largest. */
  private static int listSize(int n) {
    for (int s : LIST_SIZES) {
      if (n <= s) {
        return s;
      }
    }
    return LIST_SIZES[LIST_SIZES.length - 1];
  }

  private static List<Long> allocate(SqliteWriter.Tx tx, int count) throws SQLException {
    PreparedStatement ps = tx.prepare(Dialect.sqliteHighestId("incidents"));
    ps.setString(1, "incidents");
    long max;
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      max = Math.max(rs.getLong(1), rs.getLong(2));
    }
    List<Long> ids = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      ids.add(max + i);
    }
    return ids;
  }

  private static void insert(SqliteWriter.Tx tx, String into, int columns, List<Object[]> rows)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    update(tx, "INSERT INTO " + into + " VALUES (" + SqlIncidentStore.marks(columns) + ")", rows);
  }

  private static void update(SqliteWriter.Tx tx, String sql, List<Object[]> rows)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    PreparedStatement ps = tx.prepare(sql);
    if (rows.size() == 1) {
      bind(ps, rows.get(0));
      ps.executeUpdate();
      return;
    }
    for (Object[] row : rows) {
      bind(ps, row);
      ps.addBatch();
    }
    ps.executeBatch();
  }

  static void bind(PreparedStatement ps, Object[] row) throws SQLException {
    for (int i = 0; i < row.length; i++) {
      Object v = row[i];
      ps.setObject(i + 1, v instanceof Boolean b ? (b ? 1 : 0) : v);
    }
  }
}
