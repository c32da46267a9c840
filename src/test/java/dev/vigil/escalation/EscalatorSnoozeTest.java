package dev.vigil.escalation;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

  @TempDir
  Path dir;
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
    EscalationState s = await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofMinutes(30)), "slack:U1"));
    assertThat(s.status()).isEqualTo(EscalationState.Status.SNOOZED);
    assertThat(s.dueAt()).isEqualTo(Instant.parse("2026-11-30T06:31:00Z"));

    f.scheduler.advance(Duration.ofMinutes(30).minusMillis(1)); // the ack timer (06:05) would have fired long ago
    assertThat(f.pages(id)).containsExactly("eu@1");
    f.scheduler.advance(Duration.ofMillis(1));
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2");
    assertThat(await(f.escalator.state(id)).orElseThrow().status()).isEqualTo(EscalationState.Status.ACTIVE);
    assertThat(f.timeline(id)).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo("escalation-snoozed");
      assertThat(e.by()).isEqualTo("slack:U1");
      assertThat(e.text()).isEqualTo("escalation snoozed until 2026-11-30T06:31:00Z; a new alert ends the snooze");
    });
    assertThat(f.escalationLines(id)).contains("2026-11-30T06:31:00Z escalation-snooze-ended: the snooze ended and level 1 was not acknowledged");
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
    assertThat(f.escalationLines(id)).contains(
        "2026-11-30T06:10:00Z escalation-snooze-ended: a new alert arrived: the snooze ends and escalation resumes now");
  }

  @Test
  void acknowledgingDuringASnoozeStopsEscalation() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofMinutes(30)), "slack:U1"));
    var acked = await(f.incidents.acknowledge(id, "slack:U2", "", f.clock.instant()));
    await(f.escalator.onEvents(List.of(new IncidentEvent.Acknowledged(acked, acked.acknowledgedBy()))));
    f.scheduler.advance(Duration.ofHours(1));
    assertThat(f.pages(id)).containsExactly("eu@1");
    assertThat(await(f.escalator.state(id)).orElseThrow().status()).isEqualTo(EscalationState.Status.STOPPED);
  }

  @Test
  void aSnoozeSurvivesARestartAndAnAlertAfterItStillEndsIt() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofMinutes(30)), "slack:U1"));
    f.restart();
    assertThat(f.scheduler.pending()).containsExactly(Instant.parse("2026-11-30T06:30:00Z"));
    f.clock.advance(Duration.ofMinutes(3));
    f.fire("HostDown", "critical", "host-3");
    f.scheduler.advance(Duration.ZERO);
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2");
  }

  @Test
  void aLaterAckTimerIsNotBroughtForward() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    EscalationState s = await(f.escalator.snooze(id, f.clock.instant().plus(Duration.ofMinutes(2)), "slack:U1"));
    assertThat(s.dueAt()).isEqualTo(Instant.parse("2026-11-30T06:05:00Z"));
  }

  @Test
  void onlyAnEscalatingTriggeredIncidentCanBeSnoozed() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId acked = f.fire("HostDown", "critical");
    await(f.incidents.acknowledge(acked, "slack:U2", "", f.clock.instant()));
    assertThatThrownBy(() -> await(f.escalator.snooze(acked, f.clock.instant().plusSeconds(600), "slack:U1")))
        .isInstanceOf(IncidentException.class).hasMessage("incident INC-1 is acknowledged; its escalation has already stopped");
    assertThatThrownBy(() -> await(f.escalator.snooze(new IncidentId(99), f.clock.instant().plusSeconds(600), "slack:U1")))
        .isInstanceOf(IncidentException.class).hasMessage("incident INC-99 does not exist");
  }
}
