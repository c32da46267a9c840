package dev.vigil.store;

import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import io.vertx.core.Future;
import java.time.Instant;

/**
 * How {@link SqlRunStore}'s writes reach the database: on SQLite as work of its writer thread
 * ({@link SqliteRunWrites}), on PostgreSQL through a group commit of its own ({@link
 * PostgresRunWrites}). Either way a write's future completes only after its commit.
 */
interface RunWrites {
  /**
   * Inserts the run and its steps; fails with {@code AlreadyDecided} for a second automatic run.
   */
  Future<RunId> create(RunRecord run);

  /**
   * Runs {@code sql} ({@link RunRows#UPDATE_STEP} and the like) with {@code params}; {@code
   * fenced}: a statement that changes no row fails with {@code LeaseLost} (another replica holds
   * the run).
   */
  Future<Void> update(RunId run, String sql, boolean fenced, Object[] params);

  /** See {@code RunStore.admit}; {@code fenced} as in {@link #update}. */
  Future<Boolean> admit(Object[] update, boolean fenced, RunId run, String key, int limit);

  /** Upserts a row of {@code runbook_trips}. */
  Future<Void> trip(String runbook, String version, String reason, Instant at);

  /** Transactions that committed run writes, and those writes, since start. */
  long[] counters();
}
