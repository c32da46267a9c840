package dev.vigil.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.expr.Values;
import dev.vigil.ha.Replica;
import dev.vigil.incident.IncidentId;
import dev.vigil.ports.StoreException;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunQuery;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.RunStore;
import dev.vigil.runbook.engine.StepRun;
import dev.vigil.runbook.engine.StepStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs in SQL, with group commit: writes that arrive while a transaction is under way wait and go
 * together in the next one, each statement kind sent as one JDBC batch. A caller's future completes
 * only after its write committed. Thread-safe.
 */
public final class SqlRunStore implements RunStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUN_COLUMNS =
      "id, incident_id, runbook, version, file, mode, status, concurrency_key, bindings, "
          + "started_by, created_at, started_at, ended_at, deadline, error";
  private static final String UPDATE_STEP =
      "UPDATE run_steps SET status = ?, attempts = ?, started_at = ?, ended_at = ?, wake_at = ?, "
          + "output = ?, error = ?, rendered = ? WHERE run_id = ? AND step_id = ?";
  private static final String UPDATE_RUN =
      "UPDATE runs SET status = ?, started_at = ?, ended_at = ?, deadline = ?, error = ? WHERE id = ?";
  // with replicas, a write applies only while this replica holds the run (fencing: a replica that
  // lost the run during a long pause finds its late writes refused, see RunStore.LeaseLost)
  private static final String FENCED_STEP =
      UPDATE_STEP
          + " AND EXISTS (SELECT 1 FROM runs WHERE runs.id = run_steps.run_id AND runs.lease_owner = ?)";
  private static final String FENCED_RUN = UPDATE_RUN + " AND lease_owner = ?";
  private static final String UNFINISHED = "('pending', 'running', 'waiting')";

  private final Database db;
  private final Dialect d;
  private final Replica replica;
  private final Object lock = new Object();
  private List<Write> queue = new ArrayList<>();
  private boolean flushing;
  private long transactions;
  private long writes;

  public SqlRunStore(Database db) {
    this(db, Replica.alone());
  }

  public SqlRunStore(Database db, Replica replica) {
    this.db = db;
    this.d = db.dialect();
    this.replica = replica;
  }

  /** A queued write: either a new run (needs an id) or one statement. */
  private record Write(
      RunRecord create, RunId run, String sql, Tuple params, Promise<Object> done) {}

  /**
   * Transactions committed and writes in them, since start (for the benchmark's
   * writes-per-transaction).
   */
  public long[] counters() {
    synchronized (lock) {
      return new long[] {transactions, writes};
    }
  }

  @Override
  public Future<RunId> create(RunRecord run) {
    return enqueue(new Write(run, null, null, null, Promise.promise()))
        .map(id -> new RunId((Long) id));
  }

  /** Which of {@code ids} are rows of runs now (in this transaction). */
  private Future<java.util.Set<RunId>> inserted(SqlConnection conn, List<Long> ids) {
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    return conn.preparedQuery(d.sql("SELECT id FROM runs WHERE id IN (" + marks + ")"))
        .execute(Tuple.from(new ArrayList<Object>(ids)))
        .map(SqlRunStore::ids);
  }

  @Override
  public Future<Void> saveStep(RunId run, StepRun s) {
    return update(
        run,
        UPDATE_STEP,
        FENCED_STEP,
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
        UPDATE_RUN,
        FENCED_RUN,
        status.wire(),
        Rows.millis(startedAt),
        Rows.millis(endedAt),
        Rows.millis(deadline),
        error,
        run.number());
  }

  /**
   * Queues an update of {@code run}; with replicas, the fenced statement, which also names this
   * replica.
   */
  private Future<Void> update(RunId run, String sql, String fenced, Object... params) {
    List<Object> values = new ArrayList<>(java.util.Arrays.asList(params));
    if (replica.shared()) {
      values.add(replica.id());
    }
    return enqueue(
            new Write(
                null, run, replica.shared() ? fenced : sql, Tuple.from(values), Promise.promise()))
        .mapEmpty();
  }

  private Future<Object> enqueue(Write w) {
    boolean start;
    synchronized (lock) {
      queue.add(w);
      start = !flushing;
      flushing = true;
    }
    if (start) {
      flush();
    }
    return w.done().future();
  }

  private void flush() {
    List<Write> batch;
    synchronized (lock) {
      batch = queue;
      queue = new ArrayList<>();
      if (batch.isEmpty()) {
        flushing = false;
        return;
      }
    }
    Map<Write, Object> results = new HashMap<>();
    // replicas inserting automatic runs at once may deadlock on runs_one_auto: the batch runs again
    db.inTransactionRetryingConflicts(conn -> apply(conn, batch, results))
        .onComplete(
            ar -> {
              synchronized (lock) {
                if (ar.succeeded()) {
                  transactions++;
                  writes += batch.size();
                }
              }
              for (Write w : batch) {
                if (ar.succeeded() && results.get(w) instanceof RuntimeException refused) {
                  w.done().fail(refused);
                } else if (ar.succeeded()) {
                  w.done().complete(results.get(w));
                } else {
                  w.done()
                      .fail(
                          new StoreException(
                              "store: run write failed: " + ar.cause().getMessage(), ar.cause()));
                }
              }
              flush();
            });
  }

  private Future<Void> apply(SqlConnection conn, List<Write> batch, Map<Write, Object> results) {
    results.clear(); // a conflict runs the batch again from the start
    // in incident order, so two replicas' batches take runs_one_auto's entries in the same order
    List<Write> creates =
        batch.stream()
            .filter(w -> w.create() != null)
            .sorted(java.util.Comparator.comparingLong(w -> w.create().incident().number()))
            .toList();
    Map<String, List<Write>> updates = new LinkedHashMap<>();
    for (Write w : batch) {
      if (w.create() == null) {
        updates.computeIfAbsent(w.sql(), k -> new ArrayList<>()).add(w);
      }
    }
    Future<Void> chain = Future.succeededFuture();
    if (!creates.isEmpty()) {
      chain =
          d.allocateIds(conn, "runs", creates.size())
              .compose(
                  ids -> {
                    List<Tuple> runs = new ArrayList<>();
                    List<Tuple> steps = new ArrayList<>();
                    for (int i = 0; i < creates.size(); i++) {
                      RunRecord r = creates.get(i).create();
                      long id = ids.get(i);
                      results.put(creates.get(i), id);
                      runs.add(
                          Tuple.from(
                              java.util.Arrays.asList(
                                  id,
                                  r.incident().number(),
                                  r.runbook(),
                                  r.version(),
                                  r.file(),
                                  r.source(),
                                  r.mode().wire(),
                                  r.status().wire(),
                                  r.concurrencyKey(),
                                  Values.json(r.bindings()),
                                  r.startedBy(),
                                  Rows.millis(r.createdAt()),
                                  replica.id(),
                                  replica.expiry(r.createdAt()).toEpochMilli())));
                      int pos = 0;
                      for (StepRun s : r.steps()) {
                        steps.add(
                            Tuple.of(id, s.id(), pos++, s.kind(), s.status().wire(), s.attempts()));
                      }
                    }
                    // a second automatic run for one incident (runs_one_auto) is skipped, and so
                    // are its steps
                    return conn.preparedQuery(
                            d.sql(
                                "INSERT INTO runs (id, incident_id, runbook, version, file, source, mode, status, concurrency_key, "
                                    + "bindings, started_by, created_at, lease_owner, lease_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                    + "ON CONFLICT (incident_id) WHERE started_by = 'auto' DO NOTHING"))
                        .executeBatch(runs)
                        .compose(x -> inserted(conn, ids))
                        .compose(
                            stored -> {
                              for (Write w : creates) {
                                if (!stored.contains(new RunId((Long) results.get(w)))) {
                                  results.put(
                                      w,
                                      new RunStore.AlreadyDecided(
                                          w.create().incident().toString()));
                                }
                              }
                              List<Tuple> kept =
                                  steps.stream()
                                      .filter(t -> stored.contains(new RunId(t.getLong(0))))
                                      .toList();
                              return kept.isEmpty()
                                  ? Future.succeededFuture()
                                  : conn.preparedQuery(
                                          d.sql(
                                              "INSERT INTO run_steps (run_id, step_id, pos, kind, status, attempts) VALUES (?, ?, ?, ?, ?, ?)"))
                                      .executeBatch(kept);
                            })
                        .mapEmpty();
                  });
    }
    for (Map.Entry<String, List<Write>> e : updates.entrySet()) {
      List<Write> writes = e.getValue();
      boolean fenced = e.getKey().equals(FENCED_STEP) || e.getKey().equals(FENCED_RUN);
      chain =
          chain.compose(
              x ->
                  conn.preparedQuery(d.sql(e.getKey()))
                      .executeBatch(writes.stream().map(Write::params).toList())
                      .map(
                          rs -> {
                            // one result per write, in order: a fenced write that changed nothing
                            // was refused
                            io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row> r = rs;
                            for (Write w : writes) {
                              if (fenced && r != null && r.rowCount() == 0) {
                                results.put(
                                    w, new RunStore.LeaseLost(w.run().toString(), replica.id()));
                              }
                              r = r == null ? null : r.next();
                            }
                            return null;
                          }));
    }
    return chain;
  }

  @Override
  public boolean shared() {
    return replica.shared();
  }

  @Override
  public Future<Boolean> admit(
      RunId run, String key, int limit, Instant startedAt, Instant deadline) {
    // the count and the update in one transaction, behind a lock on the key: an admission of the
    // same key by another replica waits here and then counts this one (READ COMMITTED: each
    // statement sees what committed before it began)
    return db.inTransaction(
            conn ->
                d.serialize(conn, "vigil/concurrency/" + key)
                    .compose(
                        v ->
                            conn.preparedQuery(
                                    d.sql(
                                        "SELECT COUNT(*) FROM runs WHERE concurrency_key = ? AND status IN ('running', 'waiting')"))
                                .execute(Tuple.of(key)))
                    .compose(
                        rs -> {
                          if (Rows.longValue(rs.iterator().next().getValue(0), 0) >= limit) {
                            return Future.succeededFuture(false);
                          }
                          List<Object> values =
                              new ArrayList<>(
                                  java.util.Arrays.asList(
                                      RunStatus.RUNNING.wire(),
                                      Rows.millis(startedAt),
                                      Rows.millis(deadline),
                                      run.number()));
                          if (replica.shared()) {
                            values.add(replica.id());
                          }
                          return conn.preparedQuery(
                                  d.sql(
                                      "UPDATE runs SET status = ?, started_at = ?, deadline = ? WHERE id = ?"
                                          + (replica.shared() ? " AND lease_owner = ?" : "")))
                              .execute(Tuple.from(values))
                              .compose(
                                  updated ->
                                      updated.rowCount() == 1
                                          ? Future.succeededFuture(true)
                                          : Future.failedFuture(
                                              new RunStore.LeaseLost(
                                                  run.toString(), replica.id())));
                        }))
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
                    .map(steps -> assemble(runs, steps, true)));
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
                                            .map(steps -> assemble(runs, steps, true)))));
  }

  @Override
  public Future<java.util.Set<RunId>> renew(Instant now) {
    if (!replica.shared()) {
      // alone on the store: every unfinished run is this process's
      return db.reader()
          .query("SELECT id FROM runs WHERE status IN " + UNFINISHED)
          .execute()
          .map(SqlRunStore::ids);
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
                .map(SqlRunStore::ids));
  }

  private static java.util.Set<RunId> ids(RowSet<Row> rs) {
    java.util.Set<RunId> out = new java.util.HashSet<>();
    rs.forEach(r -> out.add(new RunId(Rows.getLong(r, "id"))));
    return out;
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
                    .map(steps -> assemble(runs, steps, true).stream().findFirst()));
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
                    .map(steps -> assemble(runs, steps, false)));
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
                    .map(steps -> assemble(rows, steps, false)));
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
  public Future<Void> trip(String runbook, String version, String reason, Instant at) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "INSERT INTO runbook_trips (runbook, version, reason, at) VALUES (?, ?, ?, ?) "
                            + "ON CONFLICT (runbook) DO UPDATE SET version = excluded.version, reason = excluded.reason, at = excluded.at"))
                .execute(Tuple.of(runbook, version, reason, at.toEpochMilli()))
                .mapEmpty());
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

  private static List<RunRecord> assemble(RowSet<Row> runs, RowSet<Row> steps, boolean withSource) {
    Map<Long, List<StepRun>> byRun = new HashMap<>();
    for (Row s : steps) {
      byRun
          .computeIfAbsent(Rows.getLong(s, "run_id"), k -> new ArrayList<>())
          .add(
              new StepRun(
                  s.getString("step_id"),
                  s.getString("kind"),
                  StepStatus.parse(s.getString("status")),
                  Rows.getInt(s, "attempts"),
                  Rows.getInstant(s, "started_at"),
                  Rows.getInstant(s, "ended_at"),
                  Rows.getInstant(s, "wake_at"),
                  map(s.getString("output")),
                  s.getString("error"),
                  s.getString("rendered")));
    }
    List<RunRecord> out = new ArrayList<>();
    for (Row r : runs) {
      long id = Rows.getLong(r, "id");
      out.add(
          new RunRecord(
              new RunId(id),
              new IncidentId(Rows.getLong(r, "incident_id")),
              r.getString("runbook"),
              r.getString("version"),
              r.getString("file"),
              withSource ? r.getString("source") : null,
              Rollout.Mode.parse(r.getString("mode")).orElse(Rollout.Mode.AUTO),
              RunStatus.parse(r.getString("status")),
              r.getString("concurrency_key"),
              map(r.getString("bindings")),
              Rows.getInstant(r, "created_at"),
              Rows.getInstant(r, "started_at"),
              Rows.getInstant(r, "ended_at"),
              Rows.getInstant(r, "deadline"),
              r.getString("error"),
              r.getString("started_by"),
              byRun.getOrDefault(id, List.of())));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(String json) {
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    try {
      Object v = Values.plain(JSON.readValue(json, Object.class));
      return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("store: corrupt JSON column: " + e.getMessage(), e);
    }
  }
}
