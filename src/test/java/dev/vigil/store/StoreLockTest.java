package dev.vigil.store;

import static dev.vigil.store.SqlRunStoreTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestStore;
import dev.vigil.ports.StoreException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One process per SQLite store (ADR 0151): a second opener is refused with the holder named, and
 * the hold ends with the holder, kill -9 included.
 */
class StoreLockTest {
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    await(vertx.close());
  }

  /** Open's failure, or null when it opened (the store is then closed again). */
  Throwable openFails(Path file) {
    Future<Database> f = Database.open(vertx, TestStore.sqlite(file));
    try {
      Database db = await(f);
      await(db.close());
      return null;
    } catch (IllegalStateException e) {
      return e.getCause() != null ? e.getCause().getCause() : e;
    }
  }

  @Test
  void aSecondStoreOnTheSameFileIsRefusedUntilTheFirstIsClosed() {
    Path file = dir.resolve("vigil.db");
    Database first = await(Database.open(vertx, TestStore.sqlite(file)));

    Throwable refused = openFails(file);
    assertThat(refused)
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            file
                + " is in use by another Vigil process (pid "
                + ProcessHandle.current().pid()
                + ")")
        .hasMessageContaining(file + ".lock")
        .hasMessageContaining("store.url");
    // the first store is untouched by the refusal
    assertThat(await(first.reader().query("SELECT 1").execute()).size()).isEqualTo(1);

    await(first.close());
    assertThat(openFails(file)).isNull();
  }

  @Test
  void anotherProcessHoldingTheStoreIsNamedAndItsKillFreesTheStore() throws Exception {
    Path file = dir.resolve("vigil.db");
    Process holder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                StoreLockHolder.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(out.readLine()).isEqualTo("held");

      assertThat(openFails(file))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("is in use by another Vigil process (pid " + holder.pid() + ")");

      holder.destroyForcibly(); // SIGKILL: the kernel lets the lock go with the process
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(openFails(file)).isNull();
    } finally {
      holder.destroyForcibly();
    }
  }

  /**
   * A process that takes a store's lock, says so, and holds it until it is killed or its input ends
   * (the test's process is gone: no holder outlives it).
   */
  public static final class StoreLockHolder {
    public static void main(String[] args) throws Exception {
      StoreLock.acquire(Path.of(args[0]));
      System.out.println("held");
      System.out.flush();
      while (System.in.read() >= 0) {
        // the test writes nothing; a read returns only at the end of input
      }
    }
  }
}
