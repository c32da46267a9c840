package dev.vigil.escalation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The escalation decision at fixed instants: no daemon, no store, no clock. */
class EscalationPlannerTest {
  private static final IncidentId INC = new IncidentId(7);
  private static final Instant START = Instant.parse("2026-11-30T00:00:00Z");

  /**
   * Follow-the-sun: us covers 21:00-05:00 (across midnight), eu 05:00-13:00, apac 13:00-21:00; apac
   * has no channel.
   */
  private static final TeamsFile SUN =
      EscalationPreviewTest.teams(
          """
      teams:
        - id: us
          coverage: [{ from: "21:00", to: "05:00" }]
          slack: { channel: "#ops-us" }
        - id: eu
          coverage: [{ from: "05:00", to: "13:00" }]
          slack: { channel: "#ops-eu" }
        - id: apac
          coverage: [{ from: "13:00", to: "21:00" }]
        - id: lead
          slack: { channel: "#leads" }
      escalation:
        policies:
          default:
            - { notify: active, ackTimeout: 5m }
            - { notify: next, ackTimeout: 10m }
            - { notify: "team:lead", ackTimeout: 15m }
      """);

  private static EscalationState fresh() {
    return new EscalationState(INC, "default", -1, EscalationState.Status.ACTIVE, null, START);
  }

  private static EscalationState at(int step, Instant due) {
    return new EscalationState(INC, "default", step, EscalationState.Status.ACTIVE, due, START);
  }

  private static Policy policy(TeamsFile teams) {
    return teams.escalation().policies().get("default");
  }

  private static List<String> paged(EscalationPlanner.Plan plan) {
    return plan.paged()
        .map(l -> l.paged().stream().map(Team::id).map(TeamId::value).toList())
        .orElse(List.of());
  }

  @Test
  void followTheSunHandsOffAcrossMidnight() {
    // 23:30 and 04:59 are both inside us's window that wraps midnight; 05:00 belongs to eu
    for (String t : List.of("2026-11-30T23:30:00Z", "2026-12-01T04:59:00Z")) {
      EscalationPlanner.Plan plan =
          EscalationPlanner.next(fresh(), true, Instant.parse(t), SUN, policy(SUN), List.of());
      assertThat(paged(plan)).as(t).containsExactly("us");
      assertThat(plan.next().step()).isZero();
      assertThat(plan.dueAt()).contains(Instant.parse(t).plusSeconds(300));
    }
    Instant five = Instant.parse("2026-12-01T05:00:00Z");
    assertThat(paged(EscalationPlanner.next(fresh(), true, five, SUN, policy(SUN), List.of())))
        .containsExactly("eu");
    // level 2 (notify: next) just before the handoff at 05:00 pages the team taking over: eu
    EscalationPlanner.Plan next =
        EscalationPlanner.next(
            at(0, null), true, Instant.parse("2026-12-01T04:55:00Z"), SUN, policy(SUN), List.of());
    assertThat(next.paged().orElseThrow().name()).isEqualTo("level 2");
    assertThat(paged(next)).containsExactly("eu");
    assertThat(next.dueAt()).contains(Instant.parse("2026-12-01T05:05:00Z"));
  }

  @Test
  void activeTeamWithoutChannelIsSkippedAtTheSameInstant() {
    Instant t = Instant.parse("2026-11-30T14:00:00Z"); // apac's window, and apac has no channel
    EscalationPlanner.Plan plan =
        EscalationPlanner.next(fresh(), true, t, SUN, policy(SUN), List.of());
    assertThat(plan.levels()).hasSize(2);
    EscalationPlanner.LevelPlan skipped = plan.levels().get(0);
    assertThat(skipped.skipped()).isTrue();
    assertThat(skipped.targets()).containsExactly(new TeamId("apac"));
    assertThat(skipped.noChannel()).containsExactly(new TeamId("apac"));
    assertThat(plan.paged().orElseThrow().name()).isEqualTo("level 2");
    assertThat(paged(plan)).containsExactly("us"); // next at 14:00 is us at 21:00
    assertThat(plan.next().step()).isEqualTo(1);
    assertThat(plan.dueAt()).contains(t.plusSeconds(600));
  }

  @Test
  void overlappingWindowsPageEveryCoveringTeamWithOverlapAll() {
    TeamsFile teams =
        EscalationPreviewTest.teams(
            """
        overlap: all
        teams:
          - id: a
            coverage: [{ from: "08:00", to: "18:00" }]
            slack: { channel: "#a" }
          - id: b
            coverage: [{ from: "16:00", to: "02:00" }]
            slack: { channel: "#b" }
          - id: c
            coverage: [{ from: "17:00", to: "19:00" }]
        escalation:
          policies:
            default:
              - { notify: active, ackTimeout: 5m }
        """);
    EscalationPlanner.Plan plan =
        EscalationPlanner.next(
            fresh(), true, Instant.parse("2026-11-30T17:30:00Z"), teams, policy(teams), List.of());
    EscalationPlanner.LevelPlan level = plan.paged().orElseThrow();
    assertThat(level.targets()).containsExactly(new TeamId("a"), new TeamId("b"), new TeamId("c"));
    assertThat(paged(plan)).containsExactly("a", "b");
    assertThat(level.noChannel()).containsExactly(new TeamId("c"));
    // one level and no repeat: the only level is the last, so nothing is armed
    assertThat(plan.next().status()).isEqualTo(EscalationState.Status.EXHAUSTED);
    assertThat(plan.dueAt()).isEmpty();
  }

  @Test
  void overlappingWindowsPageTheFirstListedByDefault() {
    TeamsFile teams =
        EscalationPreviewTest.teams(
            """
        teams:
          - id: a
            coverage: [{ from: "08:00", to: "18:00" }]
            slack: { channel: "#a" }
          - id: b
            coverage: [{ from: "16:00", to: "02:00" }]
            slack: { channel: "#b" }
        escalation:
          policies:
            default:
              - { notify: active, ackTimeout: 5m }
        """);
    EscalationPlanner.Plan plan =
        EscalationPlanner.next(
            fresh(), true, Instant.parse("2026-11-30T17:30:00Z"), teams, policy(teams), List.of());
    assertThat(paged(plan)).containsExactly("a");
  }

  @Test
  void overrideInForceBeatsTheScheduleOnlyWhileActive() {
    Instant t = Instant.parse("2026-11-30T23:00:00Z"); // us's window
    ScheduleOverride eu =
        new ScheduleOverride(
            1,
            new TeamId("eu"),
            t.minusSeconds(3600),
            t.plusSeconds(3600),
            "api:test",
            "swap",
            t.minusSeconds(7200));
    ScheduleOverride newer =
        new ScheduleOverride(
            2,
            new TeamId("lead"),
            t.minusSeconds(60),
            t.plusSeconds(60),
            "api:test",
            "cover",
            t.minusSeconds(60));
    assertThat(paged(EscalationPlanner.next(fresh(), true, t, SUN, policy(SUN), List.of(eu))))
        .containsExactly("eu");
    assertThat(
            paged(EscalationPlanner.next(fresh(), true, t, SUN, policy(SUN), List.of(eu, newer))))
        .containsExactly("lead");
    // the override has ended by 00:00: the schedule (us) again
    assertThat(
            paged(
                EscalationPlanner.next(
                    fresh(), true, t.plusSeconds(3600), SUN, policy(SUN), List.of(eu))))
        .containsExactly("us");
  }

  @Test
  void ackTimeoutMovesToTheNextLevelAndTheLastLevelArmsNothing() {
    Instant t0 = Instant.parse("2026-11-30T10:00:00Z"); // eu's window
    EscalationPlanner.Plan one =
        EscalationPlanner.next(fresh(), true, t0, SUN, policy(SUN), List.of());
    assertThat(paged(one)).containsExactly("eu");
    Instant t1 = one.dueAt().orElseThrow();
    assertThat(t1).isEqualTo(Instant.parse("2026-11-30T10:05:00Z"));

    // the ack timer ran out: level 2 (next: apac at 13:00, which has no channel) is skipped, level
    // 3 pages lead
    EscalationPlanner.Plan two =
        EscalationPlanner.next(one.next(), true, t1, SUN, policy(SUN), List.of());
    assertThat(two.levels())
        .extracting(EscalationPlanner.LevelPlan::name)
        .containsExactly("level 2", "level 3");
    assertThat(two.levels().get(0).noChannel()).containsExactly(new TeamId("apac"));
    assertThat(paged(two)).containsExactly("lead");
    assertThat(two.next().step()).isEqualTo(2);
    assertThat(two.next().status()).isEqualTo(EscalationState.Status.EXHAUSTED);
    assertThat(two.dueAt()).isEmpty();
    assertThat(two.next().startedAt()).isEqualTo(START);
  }

  @Test
  void repeatsOfTheLastLevelEachWaitItsTimeoutAndTheLastRepeatEnds() {
    TeamsFile teams =
        EscalationPreviewTest.teams(
            """
        teams:
          - id: lead
            slack: { channel: "#leads" }
        escalation:
          repeat: 2
          policies:
            default:
              - { notify: "team:lead", ackTimeout: 5m }
        """);
    Instant t = Instant.parse("2026-11-30T10:00:00Z");
    EscalationPlanner.Plan p =
        EscalationPlanner.next(at(0, t), true, t, teams, policy(teams), List.of());
    assertThat(p.paged().orElseThrow().name()).isEqualTo("level 1 (repeat 1)");
    assertThat(p.dueAt()).contains(t.plusSeconds(300));
    p = EscalationPlanner.next(p.next(), true, t.plusSeconds(300), teams, policy(teams), List.of());
    assertThat(p.paged().orElseThrow().name()).isEqualTo("level 1 (repeat 2)");
    assertThat(p.next().status()).isEqualTo(EscalationState.Status.EXHAUSTED);
    assertThat(p.dueAt()).isEmpty();
  }

  @Test
  void anIncidentNoLongerTriggeredIsPagedButStops() {
    Instant t = Instant.parse("2026-11-30T10:00:00Z");
    EscalationPlanner.Plan plan =
        EscalationPlanner.next(fresh(), false, t, SUN, policy(SUN), List.of());
    assertThat(paged(plan)).containsExactly("eu");
    assertThat(plan.next().status()).isEqualTo(EscalationState.Status.STOPPED);
    assertThat(plan.dueAt()).isEmpty();
  }

  @Test
  void noTeamCoveringExhaustsWithNobodyPaged() {
    TeamsFile teams =
        EscalationPreviewTest.teams(
            """
        teams:
          - id: day
            coverage: [{ from: "08:00", to: "16:00", days: [mon, tue, wed, thu, fri] }]
            slack: { channel: "#day" }
        escalation:
          policies:
            default:
              - { notify: active, ackTimeout: 5m }
        """);
    // Saturday: nobody covers, there is no fallback team
    EscalationPlanner.Plan plan =
        EscalationPlanner.next(
            fresh(), true, Instant.parse("2026-12-05T10:00:00Z"), teams, policy(teams), List.of());
    assertThat(plan.levels())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.skipped()).isTrue();
              assertThat(l.targets()).isEmpty();
            });
    assertThat(plan.paged()).isEmpty();
    assertThat(plan.next().status()).isEqualTo(EscalationState.Status.EXHAUSTED);
    assertThat(plan.next().step()).isZero();
    assertThat(plan.dueAt()).isEmpty();
  }

  @Test
  void aStateAtTheLastStepHasNothingLeftToPage() {
    TeamsFile teams = SUN;
    EscalationPlanner.Plan plan =
        EscalationPlanner.next(
            at(2, null),
            true,
            Instant.parse("2026-11-30T10:00:00Z"),
            teams,
            policy(teams),
            List.of());
    assertThat(plan.levels()).isEmpty();
    assertThat(plan.paged()).isEmpty();
    assertThat(plan.next().step()).isEqualTo(2);
    assertThat(plan.next().status()).isEqualTo(EscalationState.Status.EXHAUSTED);
  }

  @Test
  void resumingRestartsTheReachedLevelsAckTimerWithoutPagingAndEndsAtTheLastLevel() {
    Instant t = Instant.parse("2026-11-30T10:00:00Z");
    EscalationState stopped =
        new EscalationState(INC, "default", 1, EscalationState.Status.STOPPED, null, START);
    EscalationState resumed = EscalationPlanner.resume(stopped, t, SUN, policy(SUN));
    assertThat(resumed.step()).isEqualTo(1);
    assertThat(resumed.status()).isEqualTo(EscalationState.Status.ACTIVE);
    assertThat(resumed.dueAt()).isEqualTo(t.plusSeconds(600)); // level 2's ack timeout
    assertThat(resumed.startedAt()).isEqualTo(START);
    EscalationState last =
        new EscalationState(INC, "default", 2, EscalationState.Status.STOPPED, null, START);
    assertThat(EscalationPlanner.resume(last, t, SUN, policy(SUN)))
        .isEqualTo(
            new EscalationState(INC, "default", 2, EscalationState.Status.EXHAUSTED, null, START));
  }

  @Test
  void aSnoozeHoldsTheStepUntilItsEndOrTheLaterDueTime() {
    Instant due = START.plusSeconds(300);
    EscalationState armed = at(1, due);
    EscalationState untilLater = EscalationPlanner.snooze(armed, due.plusSeconds(60));
    assertThat(untilLater)
        .isEqualTo(
            new EscalationState(
                INC, "default", 1, EscalationState.Status.SNOOZED, due.plusSeconds(60), START));
    // a snooze shorter than the ack timer keeps the later due time
    assertThat(EscalationPlanner.snooze(armed, due.minusSeconds(60)).dueAt()).isEqualTo(due);
    assertThat(EscalationPlanner.snooze(armed, due.minusSeconds(60)).status())
        .isEqualTo(EscalationState.Status.SNOOZED);
  }

  @Test
  void wakingMakesTheHeldStepDueAtOnceAndStoppingDisarms() {
    Instant t = START.plusSeconds(100);
    EscalationState snoozed =
        new EscalationState(
            INC, "default", 1, EscalationState.Status.SNOOZED, START.plusSeconds(900), START);
    assertThat(EscalationPlanner.wake(snoozed, t))
        .isEqualTo(new EscalationState(INC, "default", 1, EscalationState.Status.ACTIVE, t, START));
    EscalationState stopped = EscalationPlanner.stop(snoozed);
    assertThat(stopped)
        .isEqualTo(
            new EscalationState(INC, "default", 1, EscalationState.Status.STOPPED, null, START));
    assertThat(stopped.isArmed()).isFalse();
  }
}
