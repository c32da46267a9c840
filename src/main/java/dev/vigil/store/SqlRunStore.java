package dev.vigil.store;

import dev.vigil.expr.Values;
import dev.vigil.ha.Replica;
import dev.vigil.incident.IncidentId;
import dev.vigil.ports.StoreException;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunQuery;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.RunStore;
import dev.vigil.runbook.engine.StepRun;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs in SQL. Writes go through {@link RunWrites}: on SQLite as work of the store's single writer
 * thread (one group commit for every SQLite write), on PostgreSQL through a group commit of their
 * own. A caller's future completes only after its write committed. Reads use the reader pool.
 * Thread-safe.
 */
public final class SqlRunStore implements RunStore {
  private static final String RUN_COLUMNS = RunRows.RUN_COLUMNS;
  private static final String UNFINISHED = RunRows.UNFINISHED;

  private final Database db;
  private final Dialect d;
  private final Replica replica;
  private final RunWrites writes;

  public SqlRunStore(Database db) {
    this(db, Replica.alone());
  }

  public SqlRunStore(Database db, Replica replica) {
    this.db = db;
    this.d = db.dialect();
    this.replica = replica;
    this.writes =
        db.sqliteWriter() != null
            ? new SqliteRunWrites(db.sqliteWriter(), replica)
            : new PostgresRunWrites(db, replica);
  }

  /**
   * Transactions committed and writes in them, since start (for the benchmark's
   * writes-per-transaction).
   */
  public long[] counters() {
    return writes.counters();
  }

  @Override
  public Future<RunId> create(RunRecord run) {
    return writes.create(run);
  }

  @Override
  public Future<Void> saveStep(RunId run, StepRun s) {
    return update(
        run,
        RunRows.UPDATE_STEP,
        RunRows.FENCED_STEP,
        s.status().wire(),
        s.attempts(),
        Rows.millis(s.startedAt()),
        Rows.millis(s.endedAt()),
        Rows.millis(s.wakeAt()),
        s.output().isEmpty() ? null : Values.json(s.output()),
        s.error(),
        s.rendered(),
        run.number(),
        s.id());
  }

  @Override
  public Future<Void> saveRun(
      RunId run,
      RunStatus status,
      Instant startedAt,
      Instant endedAt,
      Instant deadline,
      String error) {
    return update(
        run,
        RunRows.UPDATE_RUN,
        RunRows.FENCED_RUN,
        status.wire(),
        Rows.millis(startedAt),
        Rows.millis(endedAt),
        Rows.millis(deadline),
        error,
        run.number());
  }

  /**
   * An update of {@code run}; with replicas, the fenced statement, which also names this replica.
   */
  private Future<Void> update(RunId run, String sql, String fenced, Object... params) {
    if (!replica.shared()) {
      return writes.update(run, sql, false, params);
    }
    Object[] values = Arrays.copyOf(params, params.length + 1);
    values[params.length] = replica.id();
    return writes.update(run, fenced, true, values);
  }

  @Override
  public boolean shared() {
    return replica.shared();
  }

  @Override
  public Future<Boolean> admit(
      RunId run, String key, int limit, Instant startedAt, Instant deadline) {
    List<Object> values =
        new ArrayList<>(
            Arrays.asList(
                RunStatus.RUNNING.wire(),
                Rows.millis(startedAt),
                Rows.millis(deadline),
                run.number()));
    if (replica.shared()) {
      values.add(replica.id());
    }
    return writes
        .admit(values.toArray(), replica.shared(), run, key, limit)
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof RunStore.LeaseLost
                        ? e
                        : new StoreException(
                            "store: admitting run "
                                + run
                                + " (concurrency key "
                                + key
                                + ") failed: "
                                + e.getMessage(),
                            e)));
  }

  @Override
  public Future<Void> trip(String runbook, String version, String reason, Instant at) {
    return writes.trip(runbook, version, reason, at);
  }

  @Override
  public Future<List<RunRecord>> unfinished() {
    return db.reader()
        .query(
            "SELECT "
                + RUN_COLUMNS
                + ", source FROM runs WHERE status IN "
                + UNFINISHED
                + " ORDER BY id")
        .execute()
        .compose(
            runs ->
                db.reader()
                    .query(
                        "SELECT * FROM run_steps WHERE run_id IN (SELECT id FROM runs WHERE status IN "
                            + UNFINISHED
                            + ") ORDER BY run_id, pos")
                    .execute()
                    .map(steps -> RunRows.assemble(runs, steps, true)));
  }

  @Override
  public Future<List<RunRecord>> claim(Instant now, boolean atStart) {
    if (!replica.shared()) {
      return atStart ? unfinished() : Future.succeededFuture(List.of());
    }
    long expires = replica.expiry(now).toEpochMilli();
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "UPDATE runs SET lease_owner = ?, lease_expires = ? WHERE id IN ("
                            + "SELECT id FROM runs WHERE status IN "
                            + UNFINISHED
                            + " AND (lease_owner IS NULL OR lease_expires < ?"
                            + (atStart ? " OR lease_owner = ?" : "")
                            + ") ORDER BY id"
                            + d.skipLocked()
                            + ")"))
                .execute(
                    atStart
                        ? Tuple.of(replica.id(), expires, now.toEpochMilli(), replica.id())
                        : Tuple.of(replica.id(), expires, now.toEpochMilli()))
                .compose(
                    updated ->
                        updated.rowCount() == 0
                            ? Future.succeededFuture(List.<RunRecord>of())
                            : conn.preparedQuery(
                                    d.sql(
                                        "SELECT "
                                            + RUN_COLUMNS
                                            + ", source FROM runs WHERE lease_owner = ? AND lease_expires = ? "
                                            + "AND status IN "
                                            + UNFINISHED
                                            + " ORDER BY id"))
                                .execute(Tuple.of(replica.id(), expires))
                                .compose(
                                    runs ->
                                        conn.preparedQuery(
                                                d.sql(
                                                    "SELECT * FROM run_steps WHERE run_id IN (SELECT id FROM runs WHERE lease_owner = ? "
                                                        + "AND lease_expires = ? AND status IN "
                                                        + UNFINISHED
                                                        + ") ORDER BY run_id, pos"))
                                            .execute(Tuple.of(replica.id(), expires))
                                            .map(steps -> RunRows.assemble(runs, steps, true)))));
  }

  @Override
  public Future<Set<RunId>> renew(Instant now) {
    if (!replica.shared()) {
      // alone on the store: every unfinished run is this process's
      return db.reader()
          .query("SELECT id FROM runs WHERE status IN " + UNFINISHED)
          .execute()
          .map(RunRows::ids);
    }
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "UPDATE runs SET lease_expires = ? WHERE lease_owner = ? AND status IN "
                            + UNFINISHED))
                .execute(Tuple.of(replica.expiry(now).toEpochMilli(), replica.id()))
                .compose(
                    x ->
                        conn.preparedQuery(
                                d.sql(
                                    "SELECT id FROM runs WHERE lease_owner = ? AND status IN "
                                        + UNFINISHED))
                            .execute(Tuple.of(replica.id())))
                .map(RunRows::ids));
  }

  @Override
  public Future<Void> release() {
    if (!replica.shared()) {
      return Future.succeededFuture();
    }
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "UPDATE runs SET lease_owner = NULL, lease_expires = NULL WHERE lease_owner = ? "
                            + "AND status IN "
                            + UNFINISHED))
                .execute(Tuple.of(replica.id()))
                .mapEmpty());
  }

  @Override
  public Future<Optional<RunRecord>> get(RunId id) {
    return db.reader()
        .preparedQuery(d.sql("SELECT " + RUN_COLUMNS + ", source FROM runs WHERE id = ?"))
        .execute(Tuple.of(id.number()))
        .compose(
            runs ->
                db.reader()
                    .preparedQuery(d.sql("SELECT * FROM run_steps WHERE run_id = ? ORDER BY pos"))
                    .execute(Tuple.of(id.number()))
                    .map(steps -> RunRows.assemble(runs, steps, true).stream().findFirst()));
  }

  @Override
  public Future<List<RunRecord>> forIncident(IncidentId incident) {
    return db.reader()
        .preparedQuery(
            d.sql("SELECT " + RUN_COLUMNS + " FROM runs WHERE incident_id = ? ORDER BY id"))
        .execute(Tuple.of(incident.number()))
        .compose(
            runs ->
                db.reader()
                    .preparedQuery(
                        d.sql(
                            "SELECT * FROM run_steps WHERE run_id IN (SELECT id FROM runs WHERE incident_id = ?) "
                                + "ORDER BY run_id, pos"))
                    .execute(Tuple.of(incident.number()))
                    .map(steps -> RunRows.assemble(runs, steps, false)));
  }

  @Override
  public Future<List<RunRecord>> list(RunQuery q) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (q.status() != null) {
      where.append(" AND status = ?");
      args.add(q.status().wire());
    }
    if (q.runbook() != null) {
      where.append(" AND runbook = ?");
      args.add(q.runbook());
    }
    if (q.incident() != null) {
      where.append(" AND incident_id = ?");
      args.add(q.incident().number());
    }
    String runs =
        "SELECT " + RUN_COLUMNS + " FROM runs" + where + " ORDER BY id DESC LIMIT " + q.limit();
    Tuple tuple = Tuple.from(args);
    return db.reader()
        .preparedQuery(d.sql(runs))
        .execute(tuple)
        .compose(
            rows ->
                db.reader()
                    .preparedQuery(
                        d.sql(
                            "SELECT * FROM run_steps WHERE run_id IN (SELECT id FROM runs"
                                + where
                                + " ORDER BY id DESC LIMIT "
                                + q.limit()
                                + ") ORDER BY run_id, pos"))
                    .execute(tuple)
                    .map(steps -> RunRows.assemble(rows, steps, false)));
  }

  @Override
  public Future<List<RunStatus>> recentOutcomes(String runbook, String version, int window) {
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT status FROM runs WHERE runbook = ? AND version = ? AND mode <> 'dry-run' "
                    + "AND status IN ('succeeded', 'failed', 'timed-out', 'cancelled') ORDER BY ended_at DESC, id DESC LIMIT ?"))
        .execute(Tuple.of(runbook, version, window))
        .map(
            rs -> {
              List<RunStatus> out = new ArrayList<>();
              rs.forEach(r -> out.add(RunStatus.parse(r.getString("status"))));
              return out;
            });
  }

  @Override
  public Future<List<IncidentId>> undecided(Instant since, Instant before) {
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT id FROM incidents WHERE status <> 'resolved' AND dropped = 0 AND opened_at >= ? "
                    + "AND opened_at < ? "
                    + "AND id NOT IN (SELECT incident_id FROM runs) "
                    + "AND id NOT IN (SELECT incident_id FROM timeline WHERE kind = 'runbook-offered') ORDER BY id"))
        .execute(Tuple.of(since.toEpochMilli(), before.toEpochMilli()))
        .map(
            rs -> {
              List<IncidentId> out = new ArrayList<>();
              rs.forEach(r -> out.add(new IncidentId(Rows.getLong(r, "id"))));
              return out;
            });
  }

  @Override
  public Future<Map<String, Trip>> trips() {
    return db.reader()
        .query("SELECT runbook, version, reason, at FROM runbook_trips")
        .execute()
        .map(
            rs -> {
              Map<String, Trip> out = new HashMap<>();
              rs.forEach(
                  r ->
                      out.put(
                          r.getString("runbook"),
                          new Trip(
                              r.getString("version"),
                              r.getString("reason"),
                              Rows.getInstant(r, "at"))));
              return out;
            });
  }
}
