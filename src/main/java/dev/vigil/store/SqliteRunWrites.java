package dev.vigil.store;

import dev.vigil.ha.Replica;
import dev.vigil.ports.StoreException;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStore;
import io.vertx.core.Future;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The run store's writes on SQLite, as work of the {@link SqliteWriter}: each write is one hand-off
 * to the writer thread, which runs it with plain JDBC on statements prepared once, in the next
 * transaction together with whatever else is queued (ingest, incident transitions, the outbox). So
 * there is one group commit for every SQLite write path. Each write sits in its own savepoint: one
 * that is refused ({@code AlreadyDecided}, {@code LeaseLost}) or fails is undone alone.
 */
final class SqliteRunWrites implements RunWrites {
  private final SqliteWriter writer;
  private final Replica replica;
  // written in the commit callbacks only (one thread at a time, in commit order), read by the
  // benchmark
  private volatile long transactions;
  private volatile long writes;
  private long lastCommit = -1;

  SqliteRunWrites(SqliteWriter writer, Replica replica) {
    this.writer = writer;
    this.replica = replica;
  }

  @Override
  public Future<RunId> create(RunRecord run) {
    return failures(
        writer.submit(
            tx -> {
              long id = nextId(tx);
              PreparedStatement insert = tx.prepare(RunRows.INSERT_RUN);
              SqliteIngest.bind(
                  insert,
                  RunRows.run(
                      id, run, replica.id(), replica.expiry(run.createdAt()).toEpochMilli()));
              if (insert.executeUpdate() == 0) {
                // a second automatic run for the incident (runs_one_auto): skipped, steps and all
                throw new RunStore.AlreadyDecided(run.incident().toString());
              }
              List<Object[]> steps = RunRows.steps(id, run);
              if (!steps.isEmpty()) {
                PreparedStatement ps = tx.prepare(RunRows.INSERT_STEP);
                for (Object[] step : steps) {
                  SqliteIngest.bind(ps, step);
                  ps.addBatch();
                }
                ps.executeBatch();
              }
              return new RunId(id);
            },
            this::counted));
  }

  @Override
  public Future<Void> update(RunId run, String sql, boolean fenced, Object[] params) {
    return failures(
        writer.<Void>submit(
            tx -> {
              PreparedStatement ps = tx.prepare(sql);
              SqliteIngest.bind(ps, params);
              if (ps.executeUpdate() == 0 && fenced) {
                throw new RunStore.LeaseLost(run.toString(), replica.id());
              }
              return null;
            },
            this::counted));
  }

  @Override
  public Future<Boolean> admit(Object[] update, boolean fenced, RunId run, String key, int limit) {
    return writer.submit(
        tx -> {
          PreparedStatement count = tx.prepare(RunRows.COUNT_ADMITTED);
          count.setString(1, key);
          try (ResultSet rs = count.executeQuery()) {
            rs.next();
            if (rs.getLong(1) >= limit) {
              return false;
            }
          }
          PreparedStatement ps = tx.prepare(RunRows.admit(fenced));
          SqliteIngest.bind(ps, update);
          if (ps.executeUpdate() != 1) {
            throw new RunStore.LeaseLost(run.toString(), replica.id());
          }
          return true;
        });
  }

  @Override
  public Future<Void> trip(String runbook, String version, String reason, Instant at) {
    return writer.submit(
        tx -> {
          PreparedStatement ps = tx.prepare(RunRows.TRIP);
          SqliteIngest.bind(ps, new Object[] {runbook, version, reason, at.toEpochMilli()});
          ps.executeUpdate();
          return null;
        });
  }

  @Override
  public long[] counters() {
    return new long[] {transactions, writes};
  }

  /** The next id of {@code runs}: SQLite has one writer, and this runs on it. */
  private static long nextId(SqliteWriter.Tx tx) throws SQLException {
    PreparedStatement ps = tx.prepare(Dialect.sqliteHighestId("runs"));
    ps.setString(1, "runs");
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return Math.max(rs.getLong(1), rs.getLong(2)) + 1;
    }
  }

  /** In the commit callback of a run write. */
  private void counted(Object result) {
    long commit = writer.handingOut();
    if (commit != lastCommit) {
      lastCommit = commit;
      transactions++;
    }
    writes++;
  }

  /** A refusal fails the write as it is; anything else as "run write failed", naming the cause. */
  private static <T> Future<T> failures(Future<T> write) {
    return write.recover(
        e ->
            Future.failedFuture(
                e instanceof RunStore.AlreadyDecided || e instanceof RunStore.LeaseLost
                    ? e
                    : new StoreException(
                        "store: run write failed: "
                            + (e.getCause() instanceof SQLException sql
                                ? sql.getMessage()
                                : e.getMessage()),
                        e)));
  }
}
