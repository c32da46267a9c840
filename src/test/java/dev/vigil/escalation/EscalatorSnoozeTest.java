package dev.vigil.escalation;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IngestResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /vigil snooze}: escalation is held until the snooze passes, a new alert ends it, an ack
 * still stops it, and it survives a restart. Documented teams.yaml: eu on call at Monday 06:00Z
 * (level 1, 5m), india next (level 2).
 */
class EscalatorSnoozeTest {
  static final Instant MONDAY_0600 = Instant.parse("2026-11-30T06:00:00Z");

  @TempDir Path dir;
  EscalationFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void aSnoozeHoldsTheNextLevelUntilItPasses() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    f.scheduler.advance(Duration.ofMinutes(1));
    EscalationState s =
        await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofMinutes(30)), "slack:U1"));
    assertThat(s.status()).isEqualTo(EscalationState.Status.SNOOZED);
    assertThat(s.dueAt()).isEqualTo(Instant.parse("2026-11-30T06:31:00Z"));

    f.scheduler.advance(
        Duration.ofMinutes(30).minusMillis(1)); // the ack timer (06:05) would have fired long ago
    assertThat(f.pages(id)).containsExactly("eu@1");
    f.scheduler.advance(Duration.ofMillis(1));
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2");
    assertThat(await(f.escalator.state(id)).orElseThrow().status())
        .isEqualTo(EscalationState.Status.ACTIVE);
    assertThat(f.timeline(id))
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo("escalation-snoozed");
              assertThat(e.by()).isEqualTo("slack:U1");
              assertThat(e.text())
                  .isEqualTo(
                      "escalation snoozed until 2026-11-30T06:31:00Z; a new alert ends the snooze");
            });
    assertThat(f.escalationLines(id))
        .contains(
            "2026-11-30T06:31:00Z escalation-snooze-ended: the snooze ended and level 1 was not acknowledged");
  }

  @Test
  void aNewAlertInTheIncidentEndsTheSnoozeAtOnce() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofHours(2)), "slack:U1"));
    f.scheduler.advance(Duration.ofMinutes(10));
    assertThat(f.pages(id)).containsExactly("eu@1");

    IncidentId same = f.fire("HostDown", "critical", "host-2");
    assertThat(same).isEqualTo(id);
    f.scheduler.advance(Duration.ZERO);
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2");
    assertThat(f.escalationLines(id))
        .contains(
            "2026-11-30T06:10:00Z escalation-snooze-ended: a new alert arrived: the snooze ends and escalation resumes now");
  }

  /**
   * Replicas: the snooze is made on one (A) while the other (B) holds an alarm for the old due
   * time. B's alarm does not page through the stored snooze, and a new alert reaching B ends the
   * snooze.
   */
  @Test
  void aSnoozeMadeOnAnotherReplicaHoldsThereAndANewAlertThereEndsIt() {
    Escalator other = replicas();
    f.scheduler.advance(
        Duration.ofMinutes(10)); // B's alarm for 06:05 fires: the stored snooze holds
    assertThat(f.pages(f.incidentId)).containsExactly("eu@1");
    newAlertAt(other);
    assertThat(f.pages(f.incidentId)).containsExactly("eu@1", "india@2");
    assertThat(f.escalationLines(f.incidentId))
        .contains(
            "2026-11-30T06:10:00Z escalation-snooze-ended: a new alert arrived: the snooze ends and escalation resumes now");
    other.stop();
  }

  /**
   * As above, but the alert reaches B before B's old alarm fired: B asks the store, not its memory.
   */
  @Test
  void aNewAlertOnAnotherReplicaEndsASnoozeItHasNotSeen() {
    Escalator other = replicas();
    f.scheduler.advance(Duration.ofMinutes(2));
    newAlertAt(other);
    assertThat(f.pages(f.incidentId)).containsExactly("eu@1", "india@2");
    assertThat(f.escalationLines(f.incidentId))
        .contains(
            "2026-11-30T06:02:00Z escalation-snooze-ended: a new alert arrived: the snooze ends and escalation resumes now");
    other.stop();
  }

  /**
   * Two escalators on one store (A is the fixture's): B arms the new incident's timer, then A
   * snoozes it for 2h.
   */
  Escalator replicas() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    f.escalator.setSharedStore(true);
    f.incidentId = f.fire("HostDown", "critical");
    Escalator other =
        new Escalator(
            f.escalations,
            f.incidents,
            f.live::get,
            f.overrides::snapshot,
            i -> false,
            f.scheduler,
            f.clock,
            intents -> {});
    other.setSharedStore(true);
    await(other.start());
    await(
        f.escalator.snooze(f.incidentId, f.clock.instant().plus(Duration.ofHours(2)), "slack:U1"));
    return other;
  }

  /** A second alert of the incident's group, committed, whose changes reach {@code at} only. */
  void newAlertAt(Escalator at) {
    Map<String, String> labels =
        Map.of("alertname", "HostDown", "severity", "critical", "instance", "host-2");
    Alert a =
        new Alert(
            Fingerprint.of(labels),
            labels,
            Map.of(),
            AlertStatus.FIRING,
            f.clock.instant(),
            null,
            "");
    IngestResult r =
        await(
            f.incidents.ingest(
                List.of(List.of(new AlertIntake(a, "{}:HostDown", labels, false))),
                f.classifier,
                f.clock.instant()));
    await(at.onEvents(r.events()));
    f.scheduler.advance(Duration.ZERO);
  }

  @Test
  void acknowledgingDuringASnoozeStopsEscalation() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofMinutes(30)), "slack:U1"));
    var acked = await(f.incidents.acknowledge(id, "slack:U2", "", f.clock.instant()));
    await(
        f.escalator.onEvents(
            List.of(new IncidentEvent.Acknowledged(acked, acked.acknowledgedBy()))));
    f.scheduler.advance(Duration.ofHours(1));
    assertThat(f.pages(id)).containsExactly("eu@1");
    assertThat(await(f.escalator.state(id)).orElseThrow().status())
        .isEqualTo(EscalationState.Status.STOPPED);
  }

  @Test
  void aSnoozeSurvivesARestartAndAnAlertAfterItStillEndsIt() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofMinutes(30)), "slack:U1"));
    f.restart();
    assertThat(await(f.escalator.state(id)).orElseThrow().dueAt())
        .isEqualTo(Instant.parse("2026-11-30T06:30:00Z"));
    // due beyond the horizon: the only alarm in memory is the sweep that will arm it, half a
    // horizon ahead
    assertThat(f.scheduler.pending()).containsExactly(Instant.parse("2026-11-30T06:25:00Z"));
    f.clock.advance(Duration.ofMinutes(3));
    f.fire("HostDown", "critical", "host-3");
    f.scheduler.advance(Duration.ZERO);
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2");
  }

  @Test
  void aLaterAckTimerIsNotBroughtForward() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    EscalationState s =
        await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofMinutes(2)), "slack:U1"));
    assertThat(s.dueAt()).isEqualTo(Instant.parse("2026-11-30T06:05:00Z"));
  }

  @Test
  void onlyAnEscalatingTriggeredIncidentCanBeSnoozed() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId acked = f.fire("HostDown", "critical");
    await(f.incidents.acknowledge(acked, "slack:U2", "", f.clock.instant()));
    assertThatThrownBy(
            () -> await(f.escalator.snooze(acked, f.clock.instant().plusSeconds(600), "slack:U1")))
        .isInstanceOf(IncidentException.class)
        .hasMessage("incident INC-1 is acknowledged; its escalation has already stopped");
    assertThatThrownBy(
            () ->
                await(
                    f.escalator.snooze(
                        new IncidentId(99), f.clock.instant().plusSeconds(600), "slack:U1")))
        .isInstanceOf(IncidentException.class)
        .hasMessage("incident INC-99 does not exist");
  }
}
