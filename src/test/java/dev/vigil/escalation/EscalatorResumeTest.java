package dev.vigil.escalation;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.Source;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged incident triggered again (unacknowledged in PagerDuty): exact timelines at fixed
 * instants.
 */
class EscalatorResumeTest {
  static final Instant MONDAY_0600 = Instant.parse("2026-11-30T06:00:00Z");

  @TempDir Path dir;
  EscalationFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  private void ack(IncidentId id) {
    var acked =
        await(
            f.incidents.acknowledge(id, "pagerduty:Jane", "", f.clock.instant(), Source.PAGERDUTY));
    await(
        f.escalator.onEvents(
            List.of(
                new IncidentEvent.Acknowledged(acked, acked.acknowledgedBy(), Source.PAGERDUTY))));
  }

  private void unack(IncidentId id) {
    var again =
        await(
            f.incidents.unacknowledge(
                id, "pagerduty:PagerDuty", "", f.clock.instant(), Source.PAGERDUTY));
    await(
        f.escalator.onEvents(
            List.of(
                new IncidentEvent.Unacknowledged(again, "pagerduty:PagerDuty", Source.PAGERDUTY))));
  }

  @Test
  void theStoppedLevelGetsItsAckTimeoutAgainFromNowThenTheNextLevelIsPaged() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    f.scheduler.advance(Duration.ofMinutes(2));
    ack(id);
    f.scheduler.advance(
        Duration.ofMinutes(20)); // far past level 1's 5m: nothing, it is acknowledged
    assertThat(f.pages(id)).containsExactly("eu@1");

    unack(id); // 06:22
    EscalationState s = await(f.escalator.state(id)).orElseThrow();
    assertThat(s.status()).isEqualTo(EscalationState.Status.ACTIVE);
    assertThat(s.step()).isZero();
    assertThat(s.dueAt()).isEqualTo(Instant.parse("2026-11-30T06:27:00Z"));
    assertThat(f.escalationLines(id))
        .last()
        .isEqualTo(
            "2026-11-30T06:22:00Z escalation-resumed: unacknowledged by pagerduty:PagerDuty:"
                + " escalation resumes at level 1; next level in 5m unless acknowledged");

    f.scheduler.advance(Duration.ofMinutes(4));
    assertThat(f.pages(id)).containsExactly("eu@1");
    f.scheduler.advance(Duration.ofMinutes(1));
    assertThat(f.pages(id)).hasSize(2);
    assertThat(await(f.escalator.state(id)).orElseThrow().step()).isEqualTo(1);
  }

  @Test
  void anAcknowledgementAfterTheResumeStopsItAgain() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    ack(id);
    unack(id);
    ack(id);
    f.scheduler.advance(Duration.ofHours(1));
    assertThat(f.pages(id)).containsExactly("eu@1");
    assertThat(await(f.escalator.state(id)).orElseThrow().status())
        .isEqualTo(EscalationState.Status.STOPPED);
  }

  @Test
  void anIncidentThatNeverEscalatedStaysQuiet() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("JustInfo", "info"); // recorded only: no escalation
    var acked =
        await(
            f.incidents.acknowledge(id, "pagerduty:Jane", "", f.clock.instant(), Source.PAGERDUTY));
    assertThat(acked.acknowledgedBy()).isEqualTo("pagerduty:Jane");
    unack(id);
    f.scheduler.advance(Duration.ofHours(1));
    assertThat(f.pages(id)).isEmpty();
    assertThat(await(f.escalator.state(id))).isEmpty();
  }
}
