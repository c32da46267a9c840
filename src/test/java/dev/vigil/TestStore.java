package dev.vigil;

import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.store.SqliteWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Which store the suite runs on: SQLite files by default, or PostgreSQL on 127.0.0.1:5432 when the
 * build sets {@code -Dvigil.test.store=postgres} (CI runs the suite both ways). Each PostgreSQL
 * user gets a database of its own, dropped when the JVM exits.
 */
public final class TestStore {
  private TestStore() {}

  public static boolean postgres() {
    return "postgres".equals(System.getProperty("vigil.test.store", "sqlite"));
  }

  /**
   * A SQLite store at {@code file} as the daemon opens it by default ({@code synchronous: FULL}),
   * for tests of SQLite itself whatever store the suite runs on.
   */
  public static VigilConfig.Store sqlite(Path file) {
    return new VigilConfig.Store(
        "sqlite:" + file, new Secret(""), "FULL", Duration.ofSeconds(5), 4);
  }

  /**
   * Holds SQLite's writer thread in a transaction of its own, counting {@code running} down once it
   * is there, until {@code release} counts down (at most 30 s): what is queued meanwhile waits, as
   * behind a disk that no longer answers.
   */
  public static Future<Object> holdWriter(
      SqliteWriter writer, CountDownLatch running, CountDownLatch release) {
    return writer.submit(
        tx -> {
          running.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        });
  }

  /** A store on a new PostgreSQL database of its own, as the daemon opens it by default. */
  public static VigilConfig.Store freshPostgres() {
    return new VigilConfig.Store(
        createDatabase(), new Secret(""), "FULL", Duration.ofSeconds(5), 4);
  }

  private static final Map<Path, String> DATABASES = new ConcurrentHashMap<>();

  /**
   * The {@code store:} line for a test config in {@code dir}: a SQLite file under it, or a
   * PostgreSQL database of its own (the same one each time for the same folder, so a restarted
   * daemon finds its state).
   */
  public static String yaml(Path dir) {
    return postgres()
        ? "store: {url: \""
            + DATABASES.computeIfAbsent(dir.toAbsolutePath(), d -> createDatabase())
            + "\"}"
        : "store: {url: \"sqlite:../data/vigil.db\"}";
  }

  private static Vertx vertx;
  private static Pool admin;
  private static final List<String> CREATED = new ArrayList<>();

  /** Creates an empty PostgreSQL database and returns its {@code postgresql://} URL. */
  public static synchronized String createDatabase() {
    if (admin == null) {
      vertx = Vertx.vertx();
      admin =
          PgBuilder.pool()
              .connectingTo(
                  new PgConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(5432)
                      .setUser("postgres")
                      .setDatabase("postgres"))
              .using(vertx)
              .build();
      Runtime.getRuntime().addShutdownHook(new Thread(TestStore::dropAll, "drop-test-databases"));
    }
    String name = "vigil_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    run("CREATE DATABASE " + name);
    CREATED.add(name);
    return "postgresql://postgres@127.0.0.1:5432/" + name;
  }

  private static synchronized void dropAll() {
    for (String name : CREATED) {
      try {
        run("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (RuntimeException e) {
        System.err.println("could not drop test database " + name + ": " + e.getMessage());
      }
    }
    admin.close();
    vertx.close();
  }

  private static void run(String sql) {
    try {
      admin
          .query(sql)
          .execute()
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "PostgreSQL on 127.0.0.1:5432: " + sql + " failed: " + e.getMessage(), e);
    }
  }
}
