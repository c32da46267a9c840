package dev.vigil.store;

import dev.vigil.ports.StoreException;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database's schema to this build's migrations, at start, before anything else uses it.
 *
 * <p>In order: take the migration lock ({@link Dialect#lockMigrations}: on PostgreSQL replicas
 * starting together wait for each other here, so each migration is applied once); make sure {@code
 * schema_migrations} exists and has its {@code checksum} column; check every applied migration that
 * this build carries against its file, and refuse to start, naming each file, if one has changed (a
 * row from before checksums were kept gets the file's checksum recorded instead); then apply each
 * migration not applied yet, in version order, each in its own transaction together with its {@code
 * schema_migrations} row. Numbers may have gaps (they are reserved per feature, so V3 may be
 * applied before V2 exists), which is why every missing number is applied, not only those above the
 * highest applied, and why each script may depend only on V1 and its own feature's earlier scripts.
 *
 * <p>Runs on one connection that the caller owns and closes afterwards; on PostgreSQL, closing it
 * also drops the lock if its release failed.
 */
final class Migrator {
  private static final Logger log = LoggerFactory.getLogger(Migrator.class);

  private final Dialect dialect;
  private final List<Migration> migrations;
  private final Clock clock;

  Migrator(Dialect dialect, List<Migration> migrations, Clock clock) {
    this.dialect = dialect;
    this.migrations = List.copyOf(migrations);
    this.clock = clock;
  }

  Future<Void> migrate(SqlConnection conn) {
    return dialect
        .lockMigrations(
            conn,
            () ->
                log.atInfo().log(
                    "store: another replica is applying migrations; waiting for it to finish"))
        .compose(v -> inTransaction(conn, () -> createTable(conn)))
        .compose(v -> conn.query("SELECT version, checksum FROM schema_migrations").execute())
        .compose(
            rows -> {
              Map<Integer, String> applied = new HashMap<>();
              rows.forEach(
                  r -> applied.put((int) Rows.longValue(r.getValue(0), 0), r.getString(1)));
              return verify(conn, applied).compose(v -> applyPending(conn, applied, 0));
            })
        .eventually(() -> dialect.unlockMigrations(conn));
  }

  /** The version table; a table from before checksums were kept gets the column, its rows NULL. */
  private Future<Void> createTable(SqlConnection conn) {
    return conn.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
                + " (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL, checksum TEXT)")
        .execute()
        .compose(v -> conn.query("SELECT * FROM schema_migrations WHERE 1 = 0").execute())
        .compose(
            rs ->
                rs.columnsNames().stream().anyMatch("checksum"::equalsIgnoreCase)
                    ? Future.succeededFuture()
                    : conn.query("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
                        .execute()
                        .onSuccess(
                            x ->
                                log.atInfo().log(
                                    "store: schema_migrations now records each migration's checksum"))
                        .mapEmpty());
  }

  /**
   * Refuses to go on if an applied migration's file changed; records the checksum of rows that have
   * none (applied before checksums were kept, or cleared by an operator to accept an edited file).
   */
  private Future<Void> verify(SqlConnection conn, Map<Integer, String> applied) {
    List<String> changed = new ArrayList<>();
    List<Migration> unrecorded = new ArrayList<>();
    TreeSet<Integer> notInBuild = new TreeSet<>(applied.keySet());
    for (Migration m : migrations) {
      notInBuild.remove(m.version());
      if (!applied.containsKey(m.version())) {
        continue;
      }
      String recorded = applied.get(m.version());
      if (recorded == null) {
        unrecorded.add(m);
      } else if (!recorded.equals(m.checksum())) {
        changed.add(changedMessage(m, recorded));
      }
    }
    if (!notInBuild.isEmpty()) {
      log.atInfo().log(
          "store: migrations "
              + notInBuild
              + " are applied but not in this build (a newer Vigil applied them);"
              + " starting anyway, as the schema only grows");
    }
    if (!changed.isEmpty()) {
      return Future.failedFuture(new StoreException(String.join("\n", changed), null));
    }
    if (unrecorded.isEmpty()) {
      return Future.succeededFuture();
    }
    return inTransaction(
            conn,
            () -> {
              Future<Void> chain = Future.succeededFuture();
              for (Migration m : unrecorded) {
                chain =
                    chain.compose(
                        v ->
                            conn.preparedQuery(
                                    dialect.sql(
                                        "UPDATE schema_migrations SET checksum = ? WHERE version = ? AND checksum IS NULL"))
                                .execute(Tuple.of(m.checksum(), m.version()))
                                .mapEmpty());
              }
              return chain;
            })
        .onSuccess(
            v ->
                log.atInfo().log(
                    "store: recorded the checksums of applied migrations "
                        + unrecorded.stream().map(Migration::file).toList()
                        + " as they are now"));
  }

  private static String changedMessage(Migration m, String recorded) {
    return "store: migration "
        + m.file()
        + " was changed after it was applied to this database (checksum applied "
        + shortened(recorded)
        + ", file now "
        + shortened(m.checksum())
        + ")."
        + " An applied migration must stay as it was: restore the file and put the change in a new migration."
        + " If the database already has the change (made by hand), accept the file as it is now with"
        + " UPDATE schema_migrations SET checksum = NULL WHERE version = "
        + m.version()
        + " and start again; the checksum is then recorded anew";
  }

  private static String shortened(String checksum) {
    return checksum.length() > 12 ? checksum.substring(0, 12) + "…" : checksum;
  }

  private Future<Void> applyPending(SqlConnection conn, Map<Integer, String> applied, int index) {
    if (index >= migrations.size()) {
      return Future.succeededFuture();
    }
    Migration m = migrations.get(index);
    Future<Void> step =
        applied.containsKey(m.version()) ? Future.succeededFuture() : apply(conn, m);
    return step.compose(v -> applyPending(conn, applied, index + 1));
  }

  /**
   * One migration and its row, in one transaction. The row is looked for again inside it, so that a
   * second process on the same SQLite file (which has no migration lock) does not apply it twice.
   */
  private Future<Void> apply(SqlConnection conn, Migration m) {
    long started = clock.millis();
    return inTransaction(
            conn,
            () ->
                conn.preparedQuery(dialect.sql("SELECT 1 FROM schema_migrations WHERE version = ?"))
                    .execute(Tuple.of(m.version()))
                    .compose(
                        rows -> {
                          if (rows.size() > 0) {
                            return Future.succeededFuture(false);
                          }
                          Future<Void> chain = Future.succeededFuture();
                          for (int n = 0; n < m.statements().size(); n++) {
                            String statement = m.statements().get(n);
                            int number = n + 1;
                            chain =
                                chain.compose(
                                    v ->
                                        conn.query(statement)
                                            .execute()
                                            .recover(
                                                e ->
                                                    Future.failedFuture(
                                                        new StoreException(
                                                            "store: migration "
                                                                + m.file()
                                                                + " failed at statement "
                                                                + number
                                                                + " ("
                                                                + abbreviated(statement)
                                                                + "): "
                                                                + e.getMessage(),
                                                            e)))
                                            .mapEmpty());
                          }
                          return chain
                              .compose(
                                  v ->
                                      conn.preparedQuery(
                                              dialect.sql(
                                                  "INSERT INTO schema_migrations (version, applied_at, checksum) VALUES (?, ?, ?)"))
                                          .execute(
                                              Tuple.of(m.version(), clock.millis(), m.checksum())))
                              .map(true);
                        }))
        .onSuccess(
            didApply -> {
              if (didApply) {
                log.atInfo()
                    .addKeyValue("duration_ms", clock.millis() - started)
                    .log("store: applied migration " + m.file());
              }
            })
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof StoreException
                        ? e
                        : new StoreException(
                            "store: migration " + m.file() + " failed: " + e.getMessage(), e)))
        .mapEmpty();
  }

  private static String abbreviated(String statement) {
    return statement.length() <= 80 ? statement : statement.substring(0, 77) + "...";
  }

  /**
   * {@code work} between BEGIN and COMMIT on {@code conn}, rolled back if it fails. SQLite takes
   * the write lock at BEGIN ({@code IMMEDIATE}), so a second process waits there rather than
   * failing half-way through.
   */
  private <T> Future<T> inTransaction(SqlConnection conn, Supplier<Future<T>> work) {
    return conn.query(dialect == Dialect.SQLITE ? "BEGIN IMMEDIATE" : "BEGIN")
        .execute()
        .compose(v -> work.get())
        .compose(result -> conn.query("COMMIT").execute().map(result))
        .recover(
            failure ->
                conn.query("ROLLBACK").execute().transform(x -> Future.<T>failedFuture(failure)));
  }
}
