package dev.vigil.store;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestStore;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.timer.FakeClock;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stored replay memory of Slack requests: the primary key decides "seen" for every holder of
 * the store (two memories here, as two replicas), and rows past their expiry are deleted as
 * requests arrive.
 */
class SqlSeenRequestsTest {
  static final Instant T = Instant.parse("2026-11-29T06:00:00Z");

  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final FakeClock clock = new FakeClock(T);
  Database db;

  @BeforeEach
  void open() {
    String url =
        TestStore.postgres() ? TestStore.createDatabase() : "sqlite:" + dir.resolve("seen.db");
    db =
        await(
            Database.open(
                vertx,
                new VigilConfig.Store(url, new Secret(""), "FULL", Duration.ofSeconds(5), 4)));
  }

  @AfterEach
  void close() {
    await(db.close());
    await(vertx.close());
  }

  long rows() {
    return Rows.longValue(
        await(db.reader().query("SELECT COUNT(*) FROM slack_seen_requests").execute())
            .iterator()
            .next()
            .getValue(0),
        0);
  }

  @Test
  void aSignatureIsNewOnceForEveryReplicaAndExpiredRowsAreDeleted() {
    SqlSeenRequests a = new SqlSeenRequests(db, clock);
    SqlSeenRequests b = new SqlSeenRequests(db, clock);
    Instant until = T.plus(Duration.ofMinutes(5));
    assertThat(await(a.firstSighting("v0=aaa", until))).isTrue();
    assertThat(await(b.firstSighting("v0=aaa", until))).as("the other replica").isFalse();
    assertThat(await(a.firstSighting("v0=aaa", until))).isFalse();
    assertThat(await(b.firstSighting("v0=bbb", until))).isTrue();
    assertThat(rows()).isEqualTo(2);

    clock.advance(Duration.ofMinutes(6)); // both windows over, and a sweep is due
    assertThat(await(a.firstSighting("v0=ccc", clock.instant().plus(Duration.ofMinutes(5)))))
        .isTrue();
    assertThat(rows()).as("only the live row is left").isEqualTo(1);
  }
}
