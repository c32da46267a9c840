package dev.vigil.store;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.TestStore;
import dev.vigil.config.VigilConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Replicas started together on one empty PostgreSQL database, each with its own Vert.x and pools as
 * three processes would have: they take turns at the migration lock, so all come up and each
 * migration is applied once.
 */
class MigrationsPostgresTest {
  static final int REPLICAS = 3;

  @Test
  void threeReplicasStartingAtOnceOnAnEmptyDatabaseAllComeUpAndEachMigrationIsAppliedOnce() {
    VigilConfig.Store store = TestStore.freshPostgres();
    List<Vertx> replicas = new ArrayList<>();
    for (int i = 0; i < REPLICAS; i++) {
      replicas.add(Vertx.vertx());
    }
    List<Migration> bundled = Migration.bundled(Dialect.POSTGRES);
    // The test holds the migration lock while the replicas start, so that all three surely meet at
    // it
    // (on a fast machine the first could otherwise finish before the others ask), then lets go.
    Vertx operator = Vertx.vertx();
    Pool shell =
        PgBuilder.pool()
            .connectingTo(PgConnectOptions.fromUri(store.url()))
            .using(operator)
            .build();
    SqlConnection holder = await(shell.getConnection());
    await(
        Dialect.POSTGRES.lockMigrations(
            holder,
            () -> {
              throw new AssertionError("nobody else holds the lock yet");
            }));
    try (LogCapture logs = new LogCapture(Level.INFO)) {
      List<Future<Database>> starting =
          replicas.stream().map(vertx -> Database.open(vertx, store)).toList();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  await(
                              shell
                                  .query(
                                      "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                                          + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
                                  .execute())
                          .iterator()
                          .next()
                          .getLong(0)
                      == REPLICAS);
      assertThat(
              logs.text()
                  .split("another replica is applying migrations; waiting for it to finish", -1))
          .hasSize(REPLICAS + 1);
      await(Dialect.POSTGRES.unlockMigrations(holder));
      List<Database> up = await(Future.all(starting)).list();
      try {
        assertThat(up).hasSize(REPLICAS);
        for (Database db : up) {
          await(db.ping()); // ready: the store answers
        }
        // one row per migration, each with its checksum...
        var rows =
            await(
                up.get(0)
                    .reader()
                    .query(
                        "SELECT version, COUNT(*), MIN(checksum) FROM schema_migrations GROUP BY version ORDER BY version")
                    .execute());
        List<Integer> versions = new ArrayList<>();
        rows.forEach(
            r -> {
              versions.add(r.getInteger(0));
              assertThat(r.getLong(1)).as("rows of V" + r.getInteger(0)).isEqualTo(1);
              assertThat(r.getString(2)).isNotNull();
            });
        assertThat(versions)
            .containsExactlyElementsOf(bundled.stream().map(Migration::version).toList());
        // ...and each applied by one replica only (a second run of V1 would have failed on its
        // CREATE TABLE)
        Matcher applied = Pattern.compile("store: applied migration (\\S+)").matcher(logs.text());
        List<String> files = new ArrayList<>();
        while (applied.find()) {
          files.add(applied.group(1));
        }
        assertThat(files).containsExactlyElementsOf(bundled.stream().map(Migration::file).toList());
      } finally {
        await(Future.join(up.stream().map(Database::close).toList()));
      }
    } finally {
      await(holder.close());
      await(shell.close());
      await(operator.close());
      replicas.forEach(vertx -> await(vertx.close()));
    }
  }
}
