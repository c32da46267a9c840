package dev.vigil.escalation;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.incident.IncidentId;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.OutboxEntry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandoffDigesterTest {
  @TempDir Path dir;
  EscalationFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  List<OutboxEntry> digests() { // oldest first
    List<OutboxEntry> newestFirst =
        new ArrayList<>(await(f.outbox.recent(NotificationIntent.Kind.DIGEST, 20)));
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  @Test
  void eachWindowStartGetsOneDigestForTheIncomingTeam() {
    f =
        new EscalationFixture(
            dir, Instant.parse("2026-11-30T06:00:00Z"), EscalationFixture.goodTeams());
    HandoffDigester digester =
        new HandoffDigester(
            f.teams, f.incidents, f.escalations, f.outbox, f.scheduler, f.clock, () -> {});
    IncidentId fixedByPeople = f.fire("DiskFull", "info");
    await(f.incidents.resolve(fixedByPeople, "api:bob", "cleaned up", f.clock.instant()));
    IncidentId fixedItself = f.fire("Flap", "info");
    await(f.incidents.resolve(fixedItself, "alertmanager", "", f.clock.instant()));
    f.clock.set(Instant.parse("2026-11-30T08:58:00Z"));
    IncidentId open = f.fire("HostDown", "critical"); // level 1 at 08:58, next due 09:03
    digester.start();

    f.scheduler.advanceTo(Instant.parse("2026-11-30T09:00:00Z"));
    assertThat(digests())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.intent().key())
                  .isEqualTo(
                      "digest:india:" + Instant.parse("2026-11-30T09:00:00Z").toEpochMilli());
              assertThat(d.intent().team().value()).isEqualTo("india");
              assertThat(d.intent().channels()).containsExactly("slack");
              JsonObject p = new JsonObject(d.intent().payload());
              assertThat(p.getString("since"))
                  .isEqualTo("2026-11-29T17:00:00Z"); // end of india's previous shift
              assertThat(p.getJsonArray("open").stream().map(o -> ((JsonObject) o).getString("id")))
                  .containsExactly(open.toString());
              assertThat(
                      p.getJsonArray("resolved").stream()
                          .map(o -> ((JsonObject) o).getString("id")))
                  .containsExactly(fixedByPeople.toString());
              assertThat(
                      p.getJsonArray("autoResolved").stream()
                          .map(o -> ((JsonObject) o).getString("id")))
                  .containsExactly(fixedItself.toString());
              assertThat(
                      p.getJsonArray("pendingEscalations").getJsonObject(0).getString("incident"))
                  .isEqualTo(open.toString());
            });

    f.scheduler.advanceTo(Instant.parse("2026-11-30T13:00:00Z"));
    assertThat(digests()).extracting(d -> d.intent().team().value()).containsExactly("india", "ph");
    await(
        digester.digestAt(
            Instant.parse("2026-11-30T13:00:00Z"))); // a second replica or a retry: still one
    assertThat(digests()).hasSize(2);
    digester.stop();
  }

  @Test
  void aRestartAfterAReloadArmsTheNextWindowStartOfTheNewTeams() {
    f =
        new EscalationFixture(
            dir, Instant.parse("2026-11-30T06:00:00Z"), EscalationFixture.goodTeams());
    var live = new AtomicReference<>(f.teams);
    HandoffDigester digester =
        new HandoffDigester(
            live::get, f.incidents, f.escalations, f.outbox, f.scheduler, f.clock, () -> {});
    digester.start();
    assertThat(f.scheduler.pending())
        .containsExactly(Instant.parse("2026-11-30T09:00:00Z")); // india

    live.set(
        EscalationFixture.parseTeams(
            dir,
            EscalationFixture.goodTeams()
                .replace(
                    "coverage: [{ from: \"09:00\", to: \"17:00\" }]",
                    "coverage: [{ from: \"07:00\", to: \"17:00\" }]")));
    digester.restart(true);
    assertThat(f.scheduler.pending()).containsExactly(Instant.parse("2026-11-30T07:00:00Z"));
    f.scheduler.advanceTo(Instant.parse("2026-11-30T07:00:00Z"));
    assertThat(digests())
        .extracting(d -> d.intent().key())
        .containsExactly("digest:india:" + Instant.parse("2026-11-30T07:00:00Z").toEpochMilli());

    digester.restart(false); // handoff.digest: false
    assertThat(f.scheduler.pending()).isEmpty();
    f.scheduler.advanceTo(Instant.parse("2026-11-30T14:00:00Z"));
    assertThat(digests()).hasSize(1);
  }
}
