package dev.vigil.store;

import dev.vigil.ha.Replica;
import dev.vigil.ports.StoreException;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run store's writes on PostgreSQL, with a group commit of their own: writes that arrive while
 * a transaction is under way wait and go together in the next one, each statement kind sent as one
 * batch. A caller's future completes only after its write committed. Thread-safe.
 */
final class PostgresRunWrites implements RunWrites {
  private final Database db;
  private final Dialect d;
  private final Replica replica;
  private final Object lock = new Object();
  private List<Write> queue = new ArrayList<>();
  private boolean flushing;
  private long transactions;
  private long writes;

  PostgresRunWrites(Database db, Replica replica) {
    this.db = db;
    this.d = db.dialect();
    this.replica = replica;
  }

  /** A queued write: either a new run (needs an id) or one statement. */
  private record Write(
      RunRecord create,
      RunId run,
      String sql,
      boolean fenced,
      Tuple params,
      Promise<Object> done) {}

  @Override
  public long[] counters() {
    synchronized (lock) {
      return new long[] {transactions, writes};
    }
  }

  @Override
  public Future<RunId> create(RunRecord run) {
    return enqueue(new Write(run, null, null, false, null, Promise.promise()))
        .map(id -> new RunId((Long) id));
  }

  @Override
  public Future<Void> update(RunId run, String sql, boolean fenced, Object[] params) {
    return enqueue(new Write(null, run, sql, fenced, Tuple.from(params), Promise.promise()))
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
            .sorted(Comparator.comparingLong(w -> w.create().incident().number()))
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
              .compose(ids -> insertRuns(conn, creates, ids, results));
    }
    for (List<Write> writes : updates.values()) {
      chain =
          chain.compose(
              x ->
                  conn.preparedQuery(d.sql(writes.get(0).sql()))
                      .executeBatch(writes.stream().map(Write::params).toList())
                      .map(
                          rs -> {
                            // one result per write, in order: a fenced write that changed nothing
                            // was refused
                            RowSet<Row> r = rs;
                            for (Write w : writes) {
                              if (w.fenced() && r != null && r.rowCount() == 0) {
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

  private Future<Void> insertRuns(
      SqlConnection conn, List<Write> creates, List<Long> ids, Map<Write, Object> results) {
    List<Tuple> runs = new ArrayList<>();
    List<Tuple> steps = new ArrayList<>();
    for (int i = 0; i < creates.size(); i++) {
      RunRecord r = creates.get(i).create();
      long id = ids.get(i);
      results.put(creates.get(i), id);
      runs.add(
          Tuple.from(
              RunRows.run(id, r, replica.id(), replica.expiry(r.createdAt()).toEpochMilli())));
      RunRows.steps(id, r).forEach(s -> steps.add(Tuple.from(s)));
    }
    // a second automatic run for one incident (runs_one_auto) is skipped, and so are its steps
    return conn.preparedQuery(d.sql(RunRows.INSERT_RUN))
        .executeBatch(runs)
        .compose(x -> inserted(conn, ids))
        .compose(
            stored -> {
              for (Write w : creates) {
                if (!stored.contains(new RunId((Long) results.get(w)))) {
                  results.put(w, new RunStore.AlreadyDecided(w.create().incident().toString()));
                }
              }
              List<Tuple> kept =
                  steps.stream().filter(t -> stored.contains(new RunId(t.getLong(0)))).toList();
              return kept.isEmpty()
                  ? Future.<Void>succeededFuture()
                  : conn.preparedQuery(d.sql(RunRows.INSERT_STEP)).executeBatch(kept).mapEmpty();
            });
  }

  /** Which of {@code ids} are rows of runs now (in this transaction). */
  private Future<Set<RunId>> inserted(SqlConnection conn, List<Long> ids) {
    String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
    return conn.preparedQuery(d.sql("SELECT id FROM runs WHERE id IN (" + marks + ")"))
        .execute(Tuple.from(new ArrayList<Object>(ids)))
        .map(RunRows::ids);
  }

  @Override
  public Future<Boolean> admit(Object[] update, boolean fenced, RunId run, String key, int limit) {
    // the count and the update in one transaction, behind a lock on the key: an admission of the
    // same key by another replica waits here and then counts this one (READ COMMITTED: each
    // statement sees what committed before it began)
    return db.inTransaction(
        conn ->
            d.serialize(conn, "vigil/concurrency/" + key)
                .compose(
                    v -> conn.preparedQuery(d.sql(RunRows.COUNT_ADMITTED)).execute(Tuple.of(key)))
                .compose(
                    rs -> {
                      if (Rows.longValue(rs.iterator().next().getValue(0), 0) >= limit) {
                        return Future.succeededFuture(false);
                      }
                      return conn.preparedQuery(d.sql(RunRows.admit(fenced)))
                          .execute(Tuple.from(update))
                          .compose(
                              updated ->
                                  updated.rowCount() == 1
                                      ? Future.succeededFuture(true)
                                      : Future.failedFuture(
                                          new RunStore.LeaseLost(run.toString(), replica.id())));
                    }));
  }

  @Override
  public Future<Void> trip(String runbook, String version, String reason, Instant at) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(d.sql(RunRows.TRIP))
                .execute(Tuple.of(runbook, version, reason, at.toEpochMilli()))
                .mapEmpty());
  }
}
