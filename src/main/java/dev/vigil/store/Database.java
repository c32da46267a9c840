package dev.vigil.store;

import dev.vigil.config.VigilConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's connection pools and schema. SQLite gets one writer connection (it has one writer
 * anyway, and this avoids "database is locked") and a few readers, which WAL lets run beside it;
 * PostgreSQL uses one pool for both. JDBC calls run on Vert.x worker threads, never an event loop.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final Dialect dialect;
  private final Pool writer;
  private final Pool reader;

  private Database(Dialect dialect, Pool writer, Pool reader) {
    this.dialect = dialect;
    this.writer = writer;
    this.reader = reader;
  }

  /** Opens the pools and applies pending migrations. Creates the SQLite file's folder if needed. */
  public static Future<Database> open(Vertx vertx, VigilConfig.Store config) {
    Database db;
    if (config.isSqlite()) {
      Path file = Path.of(config.sqlitePath());
      try {
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
      } catch (IOException e) {
        return Future.failedFuture(new StoreException("store: cannot create folder for " + file + ": " + e.getMessage(), e));
      }
      String url = "jdbc:sqlite:" + file
          + "?journal_mode=WAL&synchronous=" + config.synchronous()
          + "&foreign_keys=true&busy_timeout=" + config.busyTimeout().toMillis();
      JDBCConnectOptions connect = new JDBCConnectOptions().setJdbcUrl(url);
      Pool writer = JDBCPool.pool(vertx, connect, new PoolOptions().setMaxSize(1).setName("sqlite-writer"));
      Pool reader = JDBCPool.pool(vertx, connect, new PoolOptions().setMaxSize(Math.min(4, config.poolSize())).setName("sqlite-reader"));
      db = new Database(Dialect.SQLITE, writer, reader);
    } else {
      PgConnectOptions connect = PgConnectOptions.fromUri(config.url());
      if (!config.password().isEmpty()) {
        connect.setPassword(config.password().reveal());
      }
      Pool pool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(config.poolSize()).setName("postgres"))
          .connectingTo(connect)
          .using(vertx)
          .build();
      db = new Database(Dialect.POSTGRES, pool, pool);
    }
    return db.migrate().map(v -> db).recover(e -> db.close().transform(x -> Future.failedFuture(e)));
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The pool for transactions that write. */
  public Pool writer() {
    return writer;
  }

  /** The pool for queries that only read. */
  public Pool reader() {
    return reader;
  }

  /** Runs {@code work} in a write transaction; rolled back if the returned future fails. */
  public <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
    if (dialect == Dialect.POSTGRES) {
      return writer.withTransaction(work);
    }
    // SQLite: take the write lock when the transaction begins. A deferred transaction that reads and
    // then writes gets SQLITE_BUSY at once, without waiting out busy_timeout, if another writer
    // (a backup, an operator's sqlite3 shell) holds the lock.
    return writer.getConnection().compose(conn -> conn.query("BEGIN IMMEDIATE").execute()
        .compose(v -> work.apply(conn))
        .compose(result -> conn.query("COMMIT").execute().map(result))
        // after any failure, including a failed COMMIT, leave the connection outside a transaction
        .recover(failure -> conn.query("ROLLBACK").execute().transform(x -> Future.<T>failedFuture(failure)))
        .eventually(conn::close));
  }

  /** Succeeds when the store answers a trivial query. */
  public Future<Void> ping() {
    return reader.query("SELECT 1").execute().mapEmpty();
  }

  public Future<Void> close() {
    return writer == reader ? writer.close() : Future.join(writer.close(), reader.close()).mapEmpty();
  }

  /** Applies each {@code db/<dialect>/V<n>.sql} not applied yet, in order, each in its own transaction. */
  private Future<Void> migrate() {
    return writer.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)")
        .execute()
        .compose(v -> writer.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").execute())
        .compose(rs -> applyFrom((int) Rows.longValue(rs.iterator().next().getValue(0), 0) + 1));
  }

  private Future<Void> applyFrom(int version) {
    String script = resource(dialect.migrationResource(version));
    if (script == null) {
      return Future.succeededFuture();
    }
    List<String> statements = Arrays.stream(script.split(";\\s*(\\n|$)"))
        .map(s -> s.lines().filter(l -> !l.trim().startsWith("--")).reduce("", (a, b) -> a + b + "\n").trim())
        .filter(s -> !s.isEmpty())
        .toList();
    return inTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (String statement : statements) {
        chain = chain.compose(v -> conn.query(statement).execute().mapEmpty());
      }
      return chain.compose(v -> conn.preparedQuery(dialect.sql("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"))
          .execute(Tuple.of(version, System.currentTimeMillis())).mapEmpty());
    }).onSuccess(v -> log.atInfo().addKeyValue("version", version).log("store: applied migration"))
        .recover(e -> Future.failedFuture(new StoreException("store: migration V" + version + " failed: " + e.getMessage(), e)))
        .compose(v -> applyFrom(version + 1));
  }

  private static String resource(String name) {
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }
}
