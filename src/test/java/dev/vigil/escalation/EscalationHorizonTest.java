package dev.vigil.escalation;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestStore;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.ports.StoreException;
import dev.vigil.timer.FakeScheduler;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ack timers due beyond {@link Escalator#HORIZON} are not held in memory; a sweep arms them as they
 * come near. On the documented teams.yaml: {@code warning} escalates by policy {@code low} (level
 * 1, ack timeout 30m, repeated once), {@code critical} by {@code default} (5m, 10m). Runs on a
 * SQLite file, and on PostgreSQL in the suite's PostgreSQL pass.
 */
class EscalationHorizonTest {
  static final Instant MONDAY_0600 = Instant.parse("2026-11-30T06:00:00Z");

  @TempDir Path dir;
  EscalationFixture f;
  Escalator other;

  @AfterEach
  void close() {
    if (other != null) {
      other.stop();
    }
    if (f != null) {
      f.close();
    }
  }

  private EscalationFixture fixture() {
    return new EscalationFixture(
        dir,
        MONDAY_0600,
        EscalationFixture.goodTeams(),
        TestStore.postgres() ? TestStore.createDatabase() : "sqlite:" + dir.resolve("vigil.db"));
  }

  @Test
  void timersNotArmedAtStartFireAtTheirStoredTimesOnce() {
    f = fixture();
    // incidents opened every 7 minutes: their level-1 repeats fall due from 06:30 to 07:33, stored
    Map<IncidentId, Instant> due = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      IncidentId id = f.fire("Slow" + i, "warning");
      due.put(id, await(f.escalator.state(id)).orElseThrow().dueAt());
      f.clock.advance(Duration.ofMinutes(7));
    }
    IncidentId critical =
        f.fire("HostDown", "critical"); // at 07:10, level 2 due 07:15: within the horizon
    Instant criticalDue = await(f.escalator.state(critical)).orElseThrow().dueAt();

    f.restart(); // at 07:10: 06:30 … 07:19 are overdue or within the horizon (to 07:20); 07:26
    // and 07:33 are not armed
    Instant now = f.clock.instant();
    long near = due.values().stream().filter(d -> !d.isAfter(now.plus(Escalator.HORIZON))).count();
    assertThat(near).isEqualTo(8);
    assertThat(f.escalator.alarmsInMemory()).isEqualTo(near + 1);
    // beyond the horizon memory holds one alarm: the sweep, half a horizon before the earliest
    // there (07:26)
    assertThat(f.scheduler.pending())
        .filteredOn(t -> t.isAfter(now.plus(Escalator.HORIZON)))
        .containsExactly(Instant.parse("2026-11-30T07:21:00Z"));

    f.scheduler.runDue(); // those that fell due while down fire now, as before
    f.scheduler.advance(Duration.ofHours(2));

    for (Map.Entry<IncidentId, Instant> e : due.entrySet()) {
      IncidentId id = e.getKey();
      assertThat(f.pages(id))
          .as("incident %s pages level 1 and its one repeat, once each", id)
          .containsExactly("eu@1", "eu@1");
      List<Instant> fired =
          f.timeline(id).stream()
              .filter(t -> t.kind().equals("ack-timeout"))
              .map(TimelineEvent::at)
              .toList();
      Instant expected =
          e.getValue().isBefore(now) ? now : e.getValue(); // overdue at the restart: at once
      assertThat(fired)
          .as("incident %s fired at its stored due time", id)
          .containsExactly(expected);
    }
    assertThat(
            f.timeline(critical).stream()
                .filter(t -> t.kind().equals("ack-timeout"))
                .map(TimelineEvent::at)
                .toList())
        .first()
        .isEqualTo(criticalDue);
    assertThat(f.escalator.alarmsInMemory()).isZero();
    assertThat(f.scheduler.pending()).isEmpty();
  }

  @Test
  void aTimerBeyondTheHorizonWhenArmedFiresOnTimeWithoutARestart() {
    f = fixture();
    IncidentId id = f.fire("Slow", "warning");
    Instant stored = await(f.escalator.state(id)).orElseThrow().dueAt();
    assertThat(stored).isEqualTo(MONDAY_0600.plus(Duration.ofMinutes(30)));
    assertThat(f.escalator.alarmsInMemory()).isZero();
    f.scheduler.advance(Duration.ofMinutes(25)); // the sweep at 06:25 arms it
    assertThat(f.escalator.alarmsInMemory()).isOne();
    assertThat(f.pages(id)).containsExactly("eu@1");
    f.scheduler.advance(Duration.ofMinutes(10));
    assertThat(f.pages(id)).containsExactly("eu@1", "eu@1");
    assertThat(f.timeline(id))
        .filteredOn(t -> t.kind().equals("ack-timeout"))
        .extracting(TimelineEvent::at)
        .containsExactly(stored);
  }

  @Test
  void acknowledgingStopsALevelWhetherOrNotItsTimerIsInMemory() {
    f = fixture();
    IncidentId early = f.fire("Early", "warning"); // due 06:30
    IncidentId late = f.fire("Late", "warning", "host-2");
    f.restart();
    f.clock.advance(Duration.ofMinutes(5));
    acknowledge(early); // at 06:05: its timer is only in the store
    f.scheduler.advance(Duration.ofMinutes(23)); // 06:28: the sweep has armed late's timer
    assertThat(f.escalator.alarmsInMemory()).isOne();
    acknowledge(late);
    assertThat(f.escalator.alarmsInMemory()).isZero();
    f.scheduler.advance(Duration.ofHours(2));
    assertThat(f.pages(early)).containsExactly("eu@1");
    assertThat(f.pages(late)).containsExactly("eu@1");
    assertThat(await(f.escalator.state(early)).orElseThrow().status())
        .isEqualTo(EscalationState.Status.STOPPED);
    assertThat(await(f.escalator.state(late)).orElseThrow().status())
        .isEqualTo(EscalationState.Status.STOPPED);
  }

  @Test
  void replicasPageOnceForTimersArmedBeyondTheHorizonAndTakeOverThoseOfADeadOne() {
    f = fixture();
    FakeScheduler otherTimers = new FakeScheduler(f.clock);
    other =
        new Escalator(
            f.escalations,
            f.incidents,
            f.live::get,
            f.overrides::snapshot,
            RunbookGate.NONE,
            otherTimers,
            f.clock,
            intents -> {});
    other.setSharedStore(true);
    f.escalator.setSharedStore(true);
    await(other.start());
    IncidentId id =
        f.fire("Slow", "warning"); // armed by f's replica at 06:00; the other only sees the store
    Instant stored = await(f.escalator.state(id)).orElseThrow().dueAt();
    f.clock.advance(Duration.ofMinutes(19));
    assertThat(await(other.adopt()))
        .as("06:30 is not yet within the other's horizon at 06:19")
        .isZero();
    f.clock.advance(Duration.ofMinutes(1));
    assertThat(await(other.adopt())).isOne();
    f.scheduler.advanceTo(
        stored); // both replicas' alarms fire at 06:30: the compare-and-set lets one page
    otherTimers.advanceTo(stored);
    assertThat(f.pages(id)).containsExactly("eu@1", "eu@1");
    assertThat(f.timeline(id))
        .filteredOn(t -> t.kind().equals("ack-timeout"))
        .extracting(TimelineEvent::at)
        .containsExactly(stored);

    IncidentId orphan = f.fire("Orphan", "warning"); // at 06:30, due 07:00
    Instant orphanDue = await(f.escalator.state(orphan)).orElseThrow().dueAt();
    f.escalator.stop(); // f's replica dies before it is due
    f.clock.advance(Duration.ofMinutes(20));
    assertThat(await(other.adopt())).isOne();
    otherTimers.advance(Duration.ofHours(1));
    assertThat(f.pages(orphan)).containsExactly("eu@1", "eu@1");
    assertThat(f.timeline(orphan))
        .filteredOn(t -> t.kind().equals("ack-timeout"))
        .extracting(TimelineEvent::at)
        .containsExactly(orphanDue);
  }

  @Test
  void aNewAlertEndsASnoozeMadeByAnotherReplicaWhoseTimerIsNotInMemory() {
    f = fixture();
    f.escalator.setSharedStore(true);
    other =
        new Escalator(
            f.escalations,
            f.incidents,
            f.live::get,
            f.overrides::snapshot,
            RunbookGate.NONE,
            new FakeScheduler(f.clock),
            f.clock,
            intents -> {});
    other.setSharedStore(true);
    IncidentId id =
        f.fire("Slow", "warning"); // due 06:30: beyond f's horizon, so f holds nothing for it
    f.clock.advance(Duration.ofMinutes(1));
    await(other.snooze(id, Instant.parse("2026-11-30T08:00:00Z"), "slack:U1"));
    assertThat(f.escalator.alarmsInMemory()).isZero();
    f.clock.advance(Duration.ofMinutes(1));
    f.fire(
        "Slow", "warning",
        "host-2"); // the new alert reaches f: the store says the incident is snoozed
    f.scheduler.advance(Duration.ZERO);
    assertThat(f.pages(id)).containsExactly("eu@1", "eu@1");
    assertThat(f.escalationLines(id))
        .anyMatch(
            l -> l.startsWith("2026-11-30T06:02:00Z escalation-snooze-ended: a new alert arrived"));
  }

  @Test
  void theStoreReadsTheHorizonBySortedDueTimesAndSnoozesByIdInChunks() {
    f = fixture();
    IncidentId critical = f.fire("HostDown", "critical"); // due 06:05
    IncidentId warning = f.fire("Slow", "warning"); // due 06:30
    IncidentId snoozed = f.fire("Snoozed", "critical"); // snoozed until 07:00
    await(f.escalator.snooze(snoozed, Instant.parse("2026-11-30T07:00:00Z"), "slack:U1"));
    assertThat(await(f.escalations.armedUntil(Instant.parse("2026-11-30T06:05:00Z"))))
        .extracting(EscalationState::incident)
        .containsExactly(critical);
    assertThat(await(f.escalations.armedUntil(Instant.parse("2026-11-30T06:30:00Z"))))
        .extracting(EscalationState::incident)
        .containsExactly(critical, warning);
    assertThat(await(f.escalations.firstDueAfter(Instant.parse("2026-11-30T06:05:00Z"))))
        .contains(Instant.parse("2026-11-30T06:30:00Z"));
    assertThat(await(f.escalations.firstDueAfter(Instant.parse("2026-11-30T07:00:00Z")))).isEmpty();
    List<IncidentId> many = new ArrayList<>();
    for (long n = 1; n <= 1_200; n++) {
      many.add(new IncidentId(n * 7)); // past the 500 ids of one query, mostly unknown
    }
    many.add(snoozed);
    many.add(critical);
    assertThat(await(f.escalations.snoozedAmong(many))).containsExactly(snoozed);
    assertThat(await(f.escalations.snoozed())).containsExactly(snoozed);
  }

  @Test
  void aSweepThatCannotReadTheStoreTriesAgainHalfAMinuteLaterAndTheTimerStillFiresOnTime() {
    f = fixture();
    IncidentId id = f.fire("Slow", "warning"); // due 06:30
    Instant stored = await(f.escalator.state(id)).orElseThrow().dueAt();
    f.escalator.stop(); // this test's escalator takes over, on a store that fails once
    AtomicBoolean failing = new AtomicBoolean();
    EscalationStore flaky = flaky(failing, new AtomicBoolean());
    FakeScheduler timers = new FakeScheduler(f.clock);
    other =
        new Escalator(
            flaky,
            f.incidents,
            f.live::get,
            f.overrides::snapshot,
            RunbookGate.NONE,
            timers,
            f.clock,
            intents -> {});
    await(other.start());
    assertThat(timers.pending()).containsExactly(Instant.parse("2026-11-30T06:25:00Z"));
    failing.set(true);
    timers.advanceTo(Instant.parse("2026-11-30T06:25:00Z"));
    assertThat(timers.pending())
        .as("the failed sweep is tried again")
        .containsExactly(Instant.parse("2026-11-30T06:25:30Z"));
    timers.advance(Duration.ofMinutes(10));
    assertThat(f.pages(id)).containsExactly("eu@1", "eu@1");
    assertThat(f.timeline(id))
        .filteredOn(t -> t.kind().equals("ack-timeout"))
        .extracting(TimelineEvent::at)
        .containsExactly(stored);
  }

  /**
   * {@code f}'s escalation store, failing the next sweep read while {@code failSweep}, the next
   * single read while {@code failGet}.
   */
  private EscalationStore flaky(AtomicBoolean failSweep, AtomicBoolean failGet) {
    return new EscalationStore() {
      @Override
      public Future<Optional<EscalationState>> get(IncidentId incident) {
        return failGet.getAndSet(false)
            ? Future.failedFuture(new StoreException("database is locked", null))
            : f.escalations.get(incident);
      }

      @Override
      public Future<List<EscalationState>> armed() {
        return f.escalations.armed();
      }

      @Override
      public Future<List<EscalationState>> armedUntil(Instant until) {
        return failSweep.getAndSet(false)
            ? Future.failedFuture(new StoreException("database is locked", null))
            : f.escalations.armedUntil(until);
      }

      @Override
      public Future<Optional<Instant>> firstDueAfter(Instant after) {
        return f.escalations.firstDueAfter(after);
      }

      @Override
      public Future<Set<IncidentId>> snoozedAmong(Collection<IncidentId> incidents) {
        return f.escalations.snoozedAmong(incidents);
      }

      @Override
      public Future<Set<IncidentId>> snoozed() {
        return f.escalations.snoozed();
      }

      @Override
      public Future<List<IncidentId>> undecided(Instant since, Instant before) {
        return f.escalations.undecided(since, before);
      }

      @Override
      public Future<List<Boolean>> commitAll(List<Transition> transitions, Instant now) {
        return f.escalations.commitAll(transitions, now);
      }
    };
  }

  @Test
  void anAckTimerWhoseStoreReadFailsIsTriedAgainHalfAMinuteLaterOnASingleProcess() {
    f = fixture();
    IncidentId id = f.fire("Blip", "warning"); // due 06:30
    f.escalator
        .stop(); // this test's escalator takes over, on a store whose read at the timer fails once
    AtomicBoolean failGet = new AtomicBoolean();
    FakeScheduler timers = new FakeScheduler(f.clock);
    other =
        new Escalator(
            flaky(new AtomicBoolean(), failGet),
            f.incidents,
            f.live::get,
            f.overrides::snapshot,
            RunbookGate.NONE,
            timers,
            f.clock,
            intents -> {});
    await(other.start());
    int paged = f.pages(id).size();
    failGet.set(true);
    timers.advanceTo(Instant.parse("2026-11-30T06:30:00Z"));
    assertThat(f.pages(id)).as("the failed timer paged nobody").hasSize(paged);
    assertThat(timers.pending())
        .as("a sweep half a minute later")
        .contains(Instant.parse("2026-11-30T06:30:30Z"));
    timers.advance(Duration.ofMinutes(1));
    assertThat(f.pages(id))
        .as("the sweep re-armed the overdue timer, which paged the next level")
        .hasSize(paged + 1);
    assertThat(f.timeline(id)).filteredOn(t -> t.kind().equals("ack-timeout")).hasSize(1);
  }

  private void acknowledge(IncidentId id) {
    var acked = await(f.incidents.acknowledge(id, "api:alice", "", f.clock.instant()));
    await(
        f.escalator.onEvents(
            new ArrayList<>(
                List.of(new IncidentEvent.Acknowledged(acked, acked.acknowledgedBy())))));
  }
}
