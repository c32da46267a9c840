package dev.vigil.store;

import dev.vigil.alert.AlertStatus;
import dev.vigil.incident.IngestResult;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * An {@link IngestPlan} carried out on the {@link SqliteWriter}'s thread: plain JDBC, prepared
 * statements reused, rows written with {@code executeBatch}, no JSON-encoded parameters.
 */
final class SqliteIngest {
  /** Keys per IN list: lists of these sizes are prepared once each and reused. */
  private static final int[] LIST_SIZES = {1, 4, 16, 64, 256};

  private SqliteIngest() {}

  static IngestResult run(SqliteWriter.Tx tx, AlertKeys keys, IngestPlan plan) throws SQLException {
    Map<String, Long> ids = loadAlerts(tx, keys, plan);
    loadIncidents(tx, plan, "status <> 'resolved' AND group_key", plan.groupKeys());
    loadIncidents(tx, plan, "id", plan.incidentIdsToLoad());
    plan.decide();
    int fresh = plan.newIncidents();
    if (fresh > 0) {
      plan.assignIds(allocate(tx, "incidents", fresh));
    }
    insert(tx, IngestPlan.INSERT_INCIDENTS, 15, plan.incidentInserts());
    update(tx, IngestPlan.UPDATE_INCIDENT, plan.incidentUpdates());
    // if this piece fails from here on, the writer rolls its keys back with its rows
    keys.stage(insertAlerts(tx, plan.alertInserts()));
    update(tx, UPDATE_ALERT_BY_ID, byId(plan.alertUpdates(), ids));
    insert(tx, IngestPlan.INSERT_TIMELINE, 5, plan.timelineRows());
    return plan.result();
  }

  /** {@link IngestPlan#UPDATE_ALERT} by row id: SQLite has no index on the alerts' identity. */
  static final String UPDATE_ALERT_BY_ID =
      "UPDATE alerts SET status = ?, ends_at = ?, incident_id = ?, updated_at = ? WHERE id = ?";

  /**
   * Loads every occurrence of the batch's fingerprints (few each), from memory, and from {@code
   * alert_keys} unless the filter of the disk level rules a fingerprint out ({@link AlertKeys}),
   * and hands the plan the firing ones and those named; returns their row ids by identity.
   */
  private static Map<String, Long> loadAlerts(SqliteWriter.Tx tx, AlertKeys keys, IngestPlan plan)
      throws SQLException {
    Map<String, Set<String>> named = plan.startsAtByFingerprint();
    List<Long> onDisk = new ArrayList<>(named.size());
    List<Long> recent = new ArrayList<>();
    for (String fingerprint : named.keySet()) {
      long fp = AlertKeys.bits(fingerprint); // once: memory, the filter and the table key by it
      keys.find(fp, recent);
      if (keys.mayBeOnDisk(fp)) {
        onDisk.add(fp);
      }
    }
    Map<String, Long> ids = new HashMap<>();
    Set<Long> seen = new HashSet<>();
    String columns = "a.id, a.fingerprint, a.starts_at, a.incident_id, a.status";
    chunked(
        tx,
        onDisk,
        size ->
            "SELECT "
                + columns
                + " FROM alert_keys k JOIN alerts a ON a.id = k.alert_id WHERE k.fp IN ("
                + SqlIncidentStore.marks(size)
                + ")",
        rs -> loadedAlert(rs, plan, named, ids, seen));
    chunked(
        tx,
        recent,
        size ->
            "SELECT "
                + columns
                + " FROM alerts a WHERE a.id IN ("
                + SqlIncidentStore.marks(size)
                + ")",
        rs -> loadedAlert(rs, plan, named, ids, seen));
    return ids;
  }

  private static void loadedAlert(
      ResultSet rs,
      IngestPlan plan,
      Map<String, Set<String>> named,
      Map<String, Long> ids,
      Set<Long> seen)
      throws SQLException {
    long id = rs.getLong(1);
    if (!seen.add(id)) {
      // in memory and on disk at once, while a merge runs
      return;
    }
    String fingerprint = rs.getString(2);
    String startsAt = rs.getString(3);
    Set<String> starts = named.get(fingerprint);
    if (starts == null) {
      return; // another fingerprint with the same 64 bits, which the table and memory key by
    }
    AlertStatus status = AlertStatus.fromWire(rs.getString(5));
    if (status == AlertStatus.FIRING || starts.contains(startsAt)) {
      long incident = rs.getLong(4);
      plan.loadedAlert(fingerprint, startsAt, rs.wasNull() ? null : incident, status);
      ids.put(identity(fingerprint, startsAt), id);
    }
  }

  private static String identity(String fingerprint, String startsAt) {
    return fingerprint + '\n' + startsAt;
  }

  /** Inserts the new alerts with ids reserved here, and returns their keys. */
  private static List<AlertKeys.Key> insertAlerts(SqliteWriter.Tx tx, List<Object[]> rows)
      throws SQLException {
    if (rows.isEmpty()) {
      return List.of();
    }
    List<Long> ids = allocate(tx, "alerts", rows.size());
    List<Object[]> withIds = new ArrayList<>(rows.size());
    List<AlertKeys.Key> keys = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Object[] row = rows.get(i);
      Object[] r = new Object[row.length + 1];
      r[0] = ids.get(i);
      System.arraycopy(row, 0, r, 1, row.length);
      withIds.add(r);
      // the plan's alert rows begin with fingerprint and starts_at
      keys.add(new AlertKeys.Key((String) row[0], ids.get(i)));
    }
    insert(tx, IngestPlan.INSERT_ALERTS_WITH_ID, 11, withIds);
    return keys;
  }

  /**
   * {@link IngestPlan#alertUpdates} rows (ending in fingerprint and starts_at) as {@link
   * #UPDATE_ALERT_BY_ID} rows.
   */
  private static List<Object[]> byId(List<Object[]> rows, Map<String, Long> ids) {
    List<Object[]> out = new ArrayList<>(rows.size());
    for (Object[] row : rows) {
      int n = row.length;
      Long id = ids.get(identity((String) row[n - 2], (String) row[n - 1]));
      if (id == null) {
        throw new IllegalStateException(
            "store: alert " + row[n - 2] + " at " + row[n - 1] + " was changed but never loaded");
      }
      Object[] r = Arrays.copyOf(row, n - 1);
      r[n - 2] = id;
      out.add(r);
    }
    return out;
  }

  /** The rows of {@code sql(size)} for {@code keys}, in prepared IN lists of a few sizes. */
  private static <K> void chunked(
      SqliteWriter.Tx tx, List<K> keys, IntFunction<String> sql, RowReader reader)
      throws SQLException {
    int i = 0;
    while (i < keys.size()) {
      int size = listSize(keys.size() - i);
      PreparedStatement ps = tx.prepare(sql.apply(size));
      for (int k = 0; k < size; k++) {
        // a short last chunk repeats its last key to fill the prepared list
        ps.setObject(k + 1, keys.get(Math.min(i + k, keys.size() - 1)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
      i += size;
    }
  }

  @FunctionalInterface
  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private static <K> void loadIncidents(
      SqliteWriter.Tx tx, IngestPlan plan, String column, Collection<K> keys) throws SQLException {
    chunked(
        tx,
        new ArrayList<>(keys),
        size ->
            "SELECT "
                + SqlIncidentStore.INCIDENT_COLUMNS
                + " FROM incidents WHERE "
                + column
                + " IN ("
                + SqlIncidentStore.marks(size)
                + ")",
        rs -> plan.loadedIncident(JdbcRows.incident(rs)));
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

  private static List<Long> allocate(SqliteWriter.Tx tx, String table, int count)
      throws SQLException {
    PreparedStatement ps = tx.prepare(Dialect.sqliteHighestId(table));
    ps.setString(1, table);
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
