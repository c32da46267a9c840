package dev.vigil.store;

import static dev.vigil.store.SqlRunStoreTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestStore;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-ahead log is copied back into the database file by the checkpointer's thread, not by
 * the connection that commits: rows committed through the writer reach the file itself while the
 * daemon runs, well before the log reaches the size at which a committing connection would copy it.
 */
class SqliteCheckpointerTest {
  @TempDir Path dir;
  Vertx vertx;
  Database db;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    db = await(Database.open(vertx, TestStore.sqlite(dir.resolve("c.db"))));
  }

  @AfterEach
  void close() {
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
  }

  @Test
  void committedRowsReachTheDatabaseFileWithoutTheLog() throws Exception {
    SqliteCheckpointer checkpointer = db.sqliteWriter().checkpointer();
    for (int i = 0; i < 20; i++) {
      int n = i;
      await(
          db.sqliteWriter()
              .submit(
                  tx -> {
                    PreparedStatement ps =
                        tx.prepare(
                            "INSERT INTO incidents (group_key, status, severity, type, title,"
                                + " labels, alert_count, firing_count, opened_at, updated_at)"
                                + " VALUES (?, 'resolved', 'critical', 'x', 't', '{}', 1, 0, 0, 0)");
                    ps.setString(1, "g" + n);
                    return ps.executeUpdate();
                  }));
    }
    // the one running now may have started before the last commit: wait for the one after it
    long afterWrites = checkpointer.checkpoints();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> checkpointer.checkpoints() > afterWrites + 1 && checkpointer.caughtUp());

    // the database file alone, without its log, holds every committed row
    Path copy = dir.resolve("file-only.db");
    Files.copy(dir.resolve("c.db"), copy);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM incidents")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(20);
    }
  }

  @Test
  void everyConnectionLeavesCheckpointsToTheCheckpointerUpToTheBackstop() throws Exception {
    Integer pages =
        await(
            db.writer()
                .query("PRAGMA wal_autocheckpoint")
                .execute()
                .map(rows -> rows.iterator().next().getInteger(0)));
    assertThat(pages).isEqualTo(SqliteCheckpointer.BACKSTOP_PAGES);
  }

  @Test
  void closingTheStoreStopsTheCheckpointerThread() {
    SqliteCheckpointer checkpointer = db.sqliteWriter().checkpointer();
    assertThat(checkpointer.running()).isTrue();
    await(db.close());
    db = null;
    assertThat(checkpointer.running()).isFalse();
  }
}
