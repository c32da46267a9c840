package dev.vigil.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * What differs between SQLite and PostgreSQL, and nothing else: placeholders, id allocation and the
 * folder and lock of migrations. All other SQL is shared text written with {@code ?} placeholders.
 */
public enum Dialect {
  SQLITE("sqlite"),
  POSTGRES("postgres");

  private final String folder;

  Dialect(String folder) {
    this.folder = folder;
  }

  String migrationResource(int version) {
    return "db/" + folder + "/V" + version + ".sql";
  }

  /** The statement with {@code ?} turned into {@code $1, $2, ...} where the driver wants that. */
  public String sql(String text) {
    if (this == SQLITE) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    int n = 0;
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      }
      if (c == '?' && !quoted) {
        out.append('$').append(++n);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * What ends a {@code SELECT} of a row the transaction will change according to what it read: on
   * PostgreSQL the row is locked until the commit; SQLite has one writer at a time.
   */
  public String forUpdate() {
    return this == POSTGRES ? " FOR UPDATE" : "";
  }

  /**
   * What ends a {@code SELECT} of rows to claim: on PostgreSQL, rows another replica is claiming
   * are skipped rather than waited for; SQLite has one writer at a time, so there is nothing to
   * skip.
   */
  public String skipLocked() {
    return this == POSTGRES ? " FOR UPDATE SKIP LOCKED" : "";
  }

  /**
   * Makes the caller's transactions that pass the same {@code name} run one after the other, from
   * here to their commit or rollback. PostgreSQL: a transaction-scoped advisory lock on a hash of
   * the name (released by the end of the transaction whatever happens to the connection, so it is
   * safe with a pool; two names with the same hash merely wait for each other). SQLite: nothing to
   * do, its write transactions already run one at a time ({@code BEGIN IMMEDIATE}).
   */
  public Future<Void> serialize(SqlConnection conn, String name) {
    if (this == SQLITE) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS locked")
        .execute(Tuple.of(name))
        .mapEmpty();
  }

  /**
   * The advisory lock key of schema migrations, beside those of {@link #serialize} (another name).
   */
  private static final String MIGRATION_LOCK = "hashtextextended('vigil schema migrations', 0)";

  /**
   * Takes the lock under which migrations run, held by {@code conn}'s session until {@link
   * #unlockMigrations} or until the session ends (a replica that dies mid-migration releases it).
   * PostgreSQL: a session advisory lock, so that replicas starting together on one database migrate
   * one after the other; {@code waiting} runs first if another session holds it. SQLite: nothing,
   * one process owns the file, and each migration's {@code BEGIN IMMEDIATE} serializes it with
   * anyone else's writes.
   */
  Future<Void> lockMigrations(SqlConnection conn, Runnable waiting) {
    if (this == SQLITE) {
      return Future.succeededFuture();
    }
    return conn.query("SELECT pg_try_advisory_lock(" + MIGRATION_LOCK + ")")
        .execute()
        .compose(
            rs -> {
              if (rs.iterator().next().getBoolean(0)) {
                return Future.<Void>succeededFuture();
              }
              waiting.run();
              return conn.query(
                      "SELECT 1 FROM (SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")) AS locked")
                  .execute()
                  .mapEmpty();
            });
  }

  /** Releases {@link #lockMigrations}. */
  Future<Void> unlockMigrations(SqlConnection conn) {
    if (this == SQLITE) {
      return Future.succeededFuture();
    }
    return conn.query("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")").execute().mapEmpty();
  }

  /**
   * SQLite: the highest id {@code table} has used, from the table and from {@code sqlite_sequence}
   * (AUTOINCREMENT never reuses a deleted row's id); one parameter, the table's name.
   */
  static String sqliteHighestId(String table) {
    return "SELECT COALESCE(MAX(id), 0), (SELECT seq FROM sqlite_sequence WHERE name = ?) FROM "
        + table;
  }

  /**
   * Reserves {@code count} new ids of {@code table} inside the caller's transaction, so that rows
   * can be inserted in one batch and still be referred to. SQLite has a single writer, so the
   * current maximum is safe; PostgreSQL draws from the identity sequence.
   */
  public Future<List<Long>> allocateIds(SqlConnection conn, String table, int count) {
    if (count == 0) {
      return Future.succeededFuture(List.of());
    }
    if (this == SQLITE) {
      return conn.preparedQuery(sqliteHighestId(table))
          .execute(Tuple.of(table))
          .map(
              rs -> {
                Row r = rs.iterator().next();
                long max =
                    Math.max(Rows.longValue(r.getValue(0), 0), Rows.longValue(r.getValue(1), 0));
                List<Long> ids = new ArrayList<>(count);
                for (int i = 1; i <= count; i++) {
                  ids.add(max + i);
                }
                return ids;
              });
    }
    return conn.preparedQuery(
            "SELECT nextval(pg_get_serial_sequence('"
                + table
                + "', 'id')) FROM generate_series(1, $1)")
        .execute(Tuple.of(count))
        .map(
            rs -> {
              List<Long> ids = new ArrayList<>(count);
              rs.forEach(r -> ids.add(r.getLong(0)));
              return ids;
            });
  }
}
