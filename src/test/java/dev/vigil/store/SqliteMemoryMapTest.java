package dev.vigil.store;

import static dev.vigil.store.SqlRunStoreTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestStore;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every connection the daemon opens on {@code vigil.db} reads it through a memory map (ADR 0148):
 * the writer, whose reads of pages it does not cache were a third of its time, and the readers.
 */
class SqliteMemoryMapTest {
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  Database db;

  @AfterEach
  void close() {
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
  }

  @Test
  void theWriterAndTheReadersMapTheStore() {
    db = await(Database.open(vertx, TestStore.sqlite(dir.resolve("vigil.db"))));
    long writer = writerPragma(db, "mmap_size");
    long reader =
        await(db.reader().query("PRAGMA mmap_size").execute()).iterator().next().getLong(0);
    assertThat(writer).isEqualTo(Database.SQLITE_MMAP_BYTES);
    assertThat(reader).isEqualTo(Database.SQLITE_MMAP_BYTES);
  }

  /** A {@code PRAGMA}'s value on the writer's own connection. */
  static long writerPragma(Database db, String name) {
    return await(
        db.sqliteWriter()
            .submit(
                tx -> {
                  try (Statement st = tx.connection().createStatement();
                      ResultSet rs = st.executeQuery("PRAGMA " + name)) {
                    rs.next();
                    return rs.getLong(1);
                  }
                }));
  }
}
