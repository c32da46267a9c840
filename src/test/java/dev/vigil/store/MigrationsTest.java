package dev.vigil.store;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.TestDaemon;
import dev.vigil.TestStore;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.ports.StoreException;
import dev.vigil.timer.FakeClock;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up against a database that earlier builds migrated: applied migrations are checked against
 * their files by checksum, on the store the suite runs on (SQLite, or PostgreSQL with {@code
 * -Dvigil.test.store=postgres}).
 */
class MigrationsTest {
  static final Instant T = Instant.parse("2026-12-05T06:00:00Z");

  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final FakeClock clock = new FakeClock(T);
  final Dialect dialect = TestStore.postgres() ? Dialect.POSTGRES : Dialect.SQLITE;
  final List<Migration> bundled = Migration.bundled(dialect);
  VigilConfig.Store config;

  /** The database without Vigil in between, as an operator's psql or sqlite3 shell sees it. */
  Pool shell;

  @BeforeEach
  void create() {
    String url =
        TestStore.postgres() ? TestStore.createDatabase() : "sqlite:" + dir.resolve("vigil.db");
    config = new VigilConfig.Store(url, new Secret(""), "FULL", Duration.ofSeconds(5), 4);
    shell = shell(url);
  }

  Pool shell(String url) {
    return url.startsWith("sqlite:")
        ? JDBCPool.pool(
            vertx,
            new JDBCConnectOptions().setJdbcUrl("jdbc:" + url),
            new PoolOptions().setMaxSize(1))
        : PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
  }

  @AfterEach
  void close() {
    await(shell.close());
    await(vertx.close());
  }

  Database open(List<Migration> migrations) {
    return await(Database.open(vertx, config, migrations, clock));
  }

  void openAndClose(List<Migration> migrations) {
    await(open(migrations).close());
  }

  /** The bundled migrations with {@code version}'s file text replaced. */
  List<Migration> withFile(int version, String text) {
    List<Migration> out = new ArrayList<>();
    for (Migration m : bundled) {
      out.add(m.version() == version ? Migration.of(dialect, version, m.file(), text) : m);
    }
    return out;
  }

  Migration bundled(int version) {
    return bundled.stream().filter(m -> m.version() == version).findFirst().orElseThrow();
  }

  String file(int version) {
    return "db/" + (dialect == Dialect.SQLITE ? "sqlite" : "postgres") + "/V" + version + ".sql";
  }

  /** Version to checksum, as stored. */
  Map<Integer, String> recorded() {
    Map<Integer, String> rows = new LinkedHashMap<>();
    await(shell.query("SELECT version, checksum FROM schema_migrations ORDER BY version").execute())
        .forEach(r -> rows.put((int) Rows.longValue(r.getValue(0), 0), r.getString(1)));
    return rows;
  }

  long count(String query) {
    return Rows.longValue(await(shell.query(query).execute()).iterator().next().getValue(0), -1);
  }

  void sql(String statement) {
    await(shell.query(statement).execute());
  }

  static final String V8_EDITED =
      """
      CREATE TABLE slack_seen_requests (
        signature TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL,
        seen_by TEXT
      );
      CREATE INDEX slack_seen_requests_expiry ON slack_seen_requests (expires_at);
      """;

  /** V8 with a column added (the same text is valid on both dialects). */
  String v8Edited() {
    return V8_EDITED;
  }

  @Test
  void eachAppliedMigrationIsRecordedWithTheChecksumOfItsStatements() {
    openAndClose(bundled);
    Map<Integer, String> rows = recorded();
    assertThat(rows.keySet())
        .containsExactlyElementsOf(bundled.stream().map(Migration::version).toList());
    for (Migration m : bundled) {
      assertThat(rows.get(m.version())).as(m.file()).isEqualTo(m.checksum()).hasSize(64);
    }
  }

  @Test
  void anEditedAppliedMigrationIsRefusedAtStartWithTheFileNamedAndWhatToDo() {
    openAndClose(bundled);
    List<Migration> edited = withFile(8, v8Edited());

    assertThatThrownBy(() -> open(edited))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "store: migration " + file(8) + " was changed after it was applied to this database")
        .hasMessageContaining("restore the file and put the change in a new migration")
        .hasMessageContaining("UPDATE schema_migrations SET checksum = NULL WHERE version = 8");
    // refused before anything ran: the stored checksum is still the applied file's
    assertThat(recorded().get(8)).isEqualTo(bundled(8).checksum());
  }

  @Test
  void aDaemonDoesNotStartOnADatabaseWhoseAppliedMigrationChanged(@TempDir Path home)
      throws Exception {
    TestDaemon.copyShippedRouting(home);
    TestDaemon.start(home, "").close();
    // the database now records another V8 than the jar's, as if the file had been edited since it
    // was applied
    String url = new ConfigLoader(k -> null).load(home.resolve("config/vigil.yaml")).store().url();
    Pool store = shell(url.startsWith("sqlite:") ? "sqlite:" + home.resolve("data/vigil.db") : url);
    try {
      await(
          store
              .query(
                  "UPDATE schema_migrations SET checksum = '"
                      + Migration.checksum(List.of("SELECT 8"))
                      + "' WHERE version = 8")
              .execute());
    } finally {
      await(store.close());
    }

    assertThatThrownBy(() -> TestDaemon.start(home, ""))
        .hasMessageContaining(
            "store: migration " + file(8) + " was changed after it was applied to this database");
  }

  @Test
  void everyChangedFileIsNamedAtOnce() {
    openAndClose(bundled);
    List<Migration> edited = new ArrayList<>(withFile(8, v8Edited()));
    edited.set(
        0, Migration.of(dialect, 1, file(1), "CREATE TABLE incidents (id INTEGER PRIMARY KEY);"));

    assertThatThrownBy(() -> open(edited))
        .hasMessageContaining("store: migration " + file(1) + " was changed")
        .hasMessageContaining("store: migration " + file(8) + " was changed");
  }

  @Test
  void editingOnlyCommentsOrLayoutOfAnAppliedMigrationIsNoChange() {
    openAndClose(bundled);
    Migration v8 = bundled(8);
    String relaidOut =
        "-- V8, its comment rewritten (an issue tag removed)\r\n"
            + String.join(";\r\n\r\n", v8.statements()).replace(" ", "  ")
            + ";\r\n";

    openAndClose(withFile(8, relaidOut));
    assertThat(recorded().get(8)).isEqualTo(v8.checksum());
  }

  @Test
  void rowsFromBeforeChecksumsAreUpgradedInPlaceAndCheckedFromThenOn() {
    openAndClose(bundled);
    // what a database migrated by an older build looks like: no checksum column
    sql("ALTER TABLE schema_migrations DROP COLUMN checksum");

    try (LogCapture logs = new LogCapture(Level.INFO)) {
      openAndClose(bundled);
      assertThat(logs.text())
          .contains("store: schema_migrations now records each migration's checksum")
          .contains("store: recorded the checksums of applied migrations [" + file(1) + ", ")
          .doesNotContain("store: applied migration");
    }
    Map<Integer, String> rows = recorded();
    for (Migration m : bundled) {
      assertThat(rows.get(m.version())).as(m.file()).isEqualTo(m.checksum());
    }
    // and now an edit is caught
    assertThatThrownBy(() -> open(withFile(8, v8Edited())))
        .hasMessageContaining(file(8) + " was changed");
  }

  @Test
  void aClearedChecksumAcceptsTheFileAsItIsNow() {
    openAndClose(bundled);
    List<Migration> edited = withFile(8, v8Edited());
    assertThatThrownBy(() -> open(edited)).hasMessageContaining(file(8));

    // the way the error message tells an operator whose database already has the change
    sql("UPDATE schema_migrations SET checksum = NULL WHERE version = 8");
    openAndClose(edited);
    assertThat(recorded().get(8))
        .isEqualTo(Migration.of(dialect, 8, file(8), v8Edited()).checksum())
        .isNotEqualTo(bundled(8).checksum());
  }

  @Test
  void aMissingNumberIsAppliedWhenALaterBuildHasIt() {
    List<Migration> withoutV7 = bundled.stream().filter(m -> m.version() != 7).toList();
    openAndClose(withoutV7);
    assertThat(recorded()).doesNotContainKey(7).containsKey(8);

    openAndClose(bundled);
    assertThat(recorded()).containsKeys(7, 8);
  }

  @Test
  void aFailingMigrationNamesItsFileAndStatementAndLeavesNothingOfItBehind() {
    openAndClose(bundled);
    List<Migration> more = new ArrayList<>(bundled);
    more.add(
        Migration.of(
            dialect,
            90,
            file(90),
            """
        CREATE TABLE half_done (id INTEGER PRIMARY KEY);
        -- a typo: the table is 'incidents'
        CREATE INDEX half_done_x ON incident (id);
        """));

    assertThatThrownBy(() -> open(more))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith(
            "store: migration "
                + file(90)
                + " failed at statement 2 (CREATE INDEX half_done_x ON incident (id)): ");
    assertThat(recorded()).doesNotContainKey(90);
    assertThat(
            count(
                "SELECT COUNT(*) FROM "
                    + (dialect == Dialect.SQLITE
                        ? "sqlite_master WHERE name = 'half_done'"
                        : "information_schema.tables WHERE table_name = 'half_done'")))
        .isZero();
  }

  @Test
  void aMigrationThatDoesNotParseIsRefusedWithFileLineAndColumn() {
    List<Migration> more = new ArrayList<>(bundled);
    assertThatThrownBy(
            () ->
                more.add(
                    Migration.of(dialect, 91, file(91), "INSERT INTO leases VALUES ('x', 'y);\n")))
        .hasMessage(
            file(91) + ":1:33: a string literal is not closed by ' before the end of the file");
  }
}
