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
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IngestResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two replicas (two pools on one PostgreSQL database) ingesting the same alerts at the same moment,
 * as when Alertmanager's webhook is sent to both: every request succeeds, each alert is stored
 * once, and each group has one incident ([F7]).
 */
class ConcurrentIngestPostgresTest {
  static final Instant T = Instant.parse("2026-11-30T06:00:00Z");

  @Test
  void theSameAlertsIngestedByTwoReplicasAtOnceMakeOneIncidentPerGroupAndNoFailures() {
    Vertx vertx = Vertx.vertx();
    VigilConfig.Store config = TestStore.freshPostgres();
    Database one = await(Database.open(vertx, config));
    Database two = await(Database.open(vertx, config));
    try {
      SqlIncidentStore a = new SqlIncidentStore(one);
      SqlIncidentStore b = new SqlIncidentStore(two);
      List<Future<IngestResult>> all = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        for (int g = 0; g < 20; g++) {
          // the group's alerts in opposite orders on the two replicas, so their writes cross
          List<AlertIntake> forward = List.of(intake(g, 1), intake(g, 2));
          all.add(a.ingest(List.of(forward), new LabelTriage(), T));
          all.add(b.ingest(List.of(List.of(forward.get(1), forward.get(0))), new LabelTriage(), T));
        }
      }
      await(Future.all(all));
      List<Incident> incidents = await(a.list(new IncidentQuery(null, null, null, 1000)));
      assertThat(incidents).hasSize(20);
      assertThat(incidents).allSatisfy(i -> assertThat(i.alertCount()).isEqualTo(2));
    } finally {
      await(Future.join(one.close(), two.close()));
      await(vertx.close());
    }
  }

  static AlertIntake intake(int group, int instance) {
    Map<String, String> labels =
        Map.of("alertname", "Race" + group, "instance", "host-" + instance);
    Alert alert =
        new Alert(Fingerprint.of(labels), labels, Map.of(), AlertStatus.FIRING, T, null, "");
    return new AlertIntake(alert, "race:" + group, Map.of("alertname", "Race" + group), false);
  }
}
