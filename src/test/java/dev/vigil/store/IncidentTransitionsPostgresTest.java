package dev.vigil.store;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.TestStore;
import dev.vigil.classify.LabelTriage;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Source;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas changing one incident at once on PostgreSQL: a change decided on what it read waits
 * for the other's commit and then decides again on what that left, so an unacknowledgement from
 * PagerDuty cannot trigger an incident another replica has just resolved.
 */
class IncidentTransitionsPostgresTest {
  static final Instant T = Instant.parse("2026-11-30T06:00:00Z");

  Vertx vertx;
  Database mine;
  Database other;
  SqlIncidentStore store;
  IncidentId id;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    VigilConfig.Store config = TestStore.freshPostgres();
    mine = await(Database.open(vertx, config));
    other = await(Database.open(vertx, config));
    store = new SqlIncidentStore(mine);
    id =
        await(
                store.ingest(
                    List.of(List.of(ConcurrentIngestPostgresTest.intake(1, 1))),
                    new LabelTriage(),
                    T))
            .incidentsPerRequest()
            .get(0)
            .get(0);
    await(store.acknowledge(id, "alice", null, T.plusSeconds(1)));
  }

  @AfterEach
  void close() {
    await(Future.join(mine.close(), other.close()));
    await(vertx.close());
  }

  @Test
  void anUnacknowledgementThatWaitedOnAResolveIsRefusedAndTheIncidentStaysResolved() {
    // the other replica's resolve holds the row, as its transaction would between its read and its
    // commit
    SqlConnection conn = await(other.writer().getConnection());
    Transaction tx = await(conn.begin());
    await(
        conn.query("SELECT id FROM incidents WHERE id = " + id.number() + " FOR UPDATE").execute());
    Future<Incident> unack =
        store.unacknowledge(id, "pagerduty:Jane", null, T.plusSeconds(2), Source.PAGERDUTY);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(this::someoneWaitsOnALock);
    await(
        conn.query(
                "UPDATE incidents SET status = 'resolved', resolved_at = "
                    + T.plusSeconds(2).toEpochMilli()
                    + ", resolved_by = 'bob' WHERE id = "
                    + id.number())
            .execute());
    await(tx.commit());
    await(conn.close());

    assertThatThrownBy(() -> await(unack)).hasMessageContaining("is resolved, not acknowledged");
    Incident now = await(store.get(id)).orElseThrow();
    assertThat(now.status()).isEqualTo(IncidentStatus.RESOLVED);
    assertThat(now.resolvedBy()).isEqualTo("bob");
  }

  @Test
  void anAcknowledgementThatWaitedOnAResolveIsRefused() {
    await(store.unacknowledge(id, "pagerduty:Jane", null, T.plusSeconds(2), Source.PAGERDUTY));
    SqlConnection conn = await(other.writer().getConnection());
    Transaction tx = await(conn.begin());
    await(
        conn.query("SELECT id FROM incidents WHERE id = " + id.number() + " FOR UPDATE").execute());
    Future<Incident> ack = store.acknowledge(id, "carol", null, T.plusSeconds(3));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(this::someoneWaitsOnALock);
    await(
        conn.query(
                "UPDATE incidents SET status = 'resolved', resolved_at = "
                    + T.plusSeconds(3).toEpochMilli()
                    + ", resolved_by = 'bob' WHERE id = "
                    + id.number())
            .execute());
    await(tx.commit());
    await(conn.close());

    assertThatThrownBy(() -> await(ack)).hasMessageContaining("is resolved");
    assertThat(await(store.get(id)).orElseThrow().status()).isEqualTo(IncidentStatus.RESOLVED);
  }

  boolean someoneWaitsOnALock() {
    return await(
                other
                    .reader()
                    .query(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                    .execute())
            .iterator()
            .next()
            .getLong(0)
        > 0;
  }
}
