package dev.vigil.escalation;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.notify.LogNotifier;
import dev.vigil.oncall.TeamId;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The V2 schema and the escalation, override and outbox stores on PostgreSQL (127.0.0.1:5432, user
 * postgres, trust auth; each test creates and drops its own database). Skipped with a message when
 * no server answers, except under CI=true, where it fails.
 */
class EscalatorPostgresTest {
  static final Instant MONDAY_0600 = Instant.parse("2026-11-30T06:00:00Z");

  @TempDir Path dir;
  Vertx admin;
  Pool postgres;
  String database;
  EscalationFixture f;

  @BeforeEach
  void createDatabase() {
    admin = Vertx.vertx();
    postgres =
        PgBuilder.pool()
            .connectingTo(
                new PgConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(5432)
                    .setUser("postgres")
                    .setDatabase("postgres"))
            .using(admin)
            .build();
    database = "vigil_f2_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try {
      await(postgres.query("CREATE DATABASE " + database).execute());
    } catch (RuntimeException e) {
      boolean ci = "true".equals(System.getenv("CI"));
      if (!ci) {
        System.err.println(
            "EscalatorPostgresTest skipped: no PostgreSQL on 127.0.0.1:5432 ("
                + e.getMessage()
                + ")");
      }
      Assumptions.assumeTrue(ci, "no PostgreSQL on 127.0.0.1:5432");
      throw e;
    }
  }

  @AfterEach
  void dropDatabase() {
    if (f != null) {
      f.close();
    }
    if (database != null) {
      try {
        await(postgres.query("DROP DATABASE IF EXISTS " + database).execute());
      } catch (RuntimeException ignored) {
        // the database may not have been created
      }
    }
    await(postgres.close());
    await(admin.close());
  }

  @Test
  void theLadderTheRestartTheOverrideAndTheOutboxWorkOnPostgres() {
    f =
        new EscalationFixture(
            dir,
            MONDAY_0600,
            EscalationFixture.goodTeams(),
            "postgresql://postgres@127.0.0.1:5432/" + database);
    IncidentId id = f.fire("HostDown", "critical");
    assertThat(f.pages(id)).containsExactly("eu@1");
    f.scheduler.advance(Duration.ofMinutes(5));
    f.restart();
    f.scheduler.advance(Duration.ofMinutes(10));
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2", "us@3");
    var acked = await(f.incidents.acknowledge(id, "api:alice", "", f.clock.instant()));
    await(
        f.escalator.onEvents(
            List.of(new IncidentEvent.Acknowledged(acked, acked.acknowledgedBy()))));
    f.scheduler.advance(Duration.ofHours(1));
    assertThat(f.pages(id)).hasSize(3);

    assertThat(await(new LogNotifier(f.outbox, f.clock).drain())).isEqualTo(3);
    assertThat(f.timeline(id)).filteredOn(e -> e.kind().equals("notified")).hasSize(3);

    var o =
        await(
            f.overrides.add(
                new TeamId("ph"),
                f.clock.instant(),
                f.clock.instant().plusSeconds(3600),
                "api:lead",
                ""));
    assertThat(f.overrides.snapshot()).containsExactly(o);
    IncidentId other = f.fire("DiskFull", "critical");
    assertThat(f.pages(other)).containsExactly("ph@1");
    assertThat(await(f.overrides.remove(o.id()))).isTrue();
    assertThat(f.overrides.snapshot()).isEmpty();
  }
}
