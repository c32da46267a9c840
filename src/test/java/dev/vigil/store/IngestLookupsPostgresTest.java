package dev.vigil.store;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestStore;
import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.classify.LabelTriage;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.AlertIntake;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * An ingest on PostgreSQL looks its alerts up by index even before PostgreSQL has statistics for
 * the table, as on a new database hit by a storm in its first minute (ADR 0147). Without them the
 * planner guessed that each fingerprint matched 0.5 % of the rows and read the whole table once per
 * batch; the ingest bench spent three quarters of PostgreSQL's time there.
 */
class IngestLookupsPostgresTest {
  static final Instant T = Instant.parse("2026-12-06T06:00:00Z");

  @Test
  void aBatchOfNewAlertsIsLookedUpByIndexInATableWithoutStatistics() {
    Vertx vertx = Vertx.vertx();
    VigilConfig.Store config = TestStore.freshPostgres();
    db = await(Database.open(vertx, config));
    try {
      // 50,000 stored alerts that PostgreSQL has never analysed (and will not during the test)
      await(
          db.writer()
              .query(
                  "ALTER TABLE alerts SET (autovacuum_enabled = false);"
                      + " INSERT INTO incidents (group_key, status, severity, type, team, title,"
                      + " labels, alert_count, firing_count, dropped, opened_at, updated_at)"
                      + " VALUES ('old', 'resolved', 'warning', 'alert', '', 'old', '{}', 0, 0, 0,"
                      + " 0, 0);"
                      + " INSERT INTO alerts (fingerprint, starts_at, incident_id, status, labels,"
                      + " annotations, generator_url, received_at, updated_at)"
                      + " SELECT md5(g::text), '2026-12-01T00:00:00Z', 1, 'resolved', '{}', '{}',"
                      + " '', 0, 0 FROM generate_series(1, 50000) g;"
                      + " SELECT pg_stat_force_next_flush()")
              .execute());
      assertThat(scans().getLong("reltuples")).as("no statistics yet").isNegative();
      Awaitility.await("the setup's counts published")
          .atMost(Duration.ofSeconds(30))
          .until(() -> scans().getLong("n_tup_ins") == 50_000);
      Row before = scans();

      List<AlertIntake> batch = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        batch.add(intake(i));
      }
      await(new SqlIncidentStore(db).ingest(List.of(batch), new LabelTriage(), T));

      // a backend publishes its table counts when it goes idle, scans and inserts together
      Awaitility.await("the ingest's counts published")
          .atMost(Duration.ofSeconds(30))
          .until(() -> scans().getLong("n_tup_ins") == 50_050);
      Row after = scans();
      assertThat(after.getLong("seq_scan"))
          .as("whole-table reads of alerts by the ingest")
          .isEqualTo(before.getLong("seq_scan"));
      assertThat(after.getLong("idx_scan")).isGreaterThan(before.getLong("idx_scan"));
    } finally {
      await(db.close());
      await(vertx.close());
    }
  }

  private Database db;

  private Row scans() {
    return await(
            db.reader()
                .query(
                    "SELECT coalesce(s.seq_scan, 0) AS seq_scan, coalesce(s.idx_scan, 0) AS"
                        + " idx_scan, s.n_tup_ins, c.reltuples::bigint AS reltuples FROM"
                        + " pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
                        + " WHERE s.relname = 'alerts'")
                .execute())
        .iterator()
        .next();
  }

  static AlertIntake intake(int instance) {
    Map<String, String> labels = Map.of("alertname", "Storm", "instance", "host-" + instance);
    Alert alert =
        new Alert(Fingerprint.of(labels), labels, Map.of(), AlertStatus.FIRING, T, null, "");
    return new AlertIntake(alert, "storm", Map.of("alertname", "Storm"), false);
  }
}
