package dev.vigil.escalation;

import dev.vigil.oncall.OnCall;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The escalation decision as a pure function of (state, instant, teams and policy, overrides in
 * force): which levels are skipped, which level pages which teams, the next state and its due time,
 * or that the escalation ends. No clock, store or Vert.x: the {@link Escalator} calls it with the
 * instant it reads and commits the result; {@link EscalationPreview} calls it at the instants a
 * level's ack timer would run out. Thread-safe (stateless).
 *
 * <p>The rules of one decision: start at the step after the state's; a level whose target has
 * nobody on call, or only teams with no channel, is skipped at the same instant; the first level
 * with a team that has a channel pages every such team of it. While the incident is triggered and a
 * step is left after it, the next step is due after the level's ack timeout; at the last step it is
 * exhausted; an incident no longer triggered stops at the paged level. When no level is left to
 * page, it is exhausted at the last step with nobody paged. {@link #resume} is the decision when an
 * acknowledged incident is triggered again; {@link #snooze}, {@link #wake} and {@link #stop} are
 * the states a snooze, a new alert in a snoozed incident, and an acknowledgement leave.
 */
public final class EscalationPlanner {

  /**
   * One level as the decision saw it.
   *
   * @param targets the teams the level's target names at the instant (empty: nobody on call)
   * @param paged the targets that have a channel, in target order: paged when not empty
   * @param noChannel the targets without a Slack channel or PagerDuty routing key (or unknown), in
   *     target order
   */
  public record LevelPlan(
      int step,
      String name,
      Level level,
      List<TeamId> targets,
      List<Team> paged,
      List<TeamId> noChannel) {
    public LevelPlan {
      targets = List.copyOf(targets);
      paged = List.copyOf(paged);
      noChannel = List.copyOf(noChannel);
    }

    /** Whether this level pages nobody, and so is passed over at once. */
    public boolean skipped() {
      return paged.isEmpty();
    }
  }

  /**
   * One decision.
   *
   * @param levels every level considered, in order: the skipped ones, then the paged one if any
   * @param next the state after the decision: ACTIVE with a due time, EXHAUSTED or STOPPED (no due
   *     time)
   */
  public record Plan(Instant at, List<LevelPlan> levels, EscalationState next) {
    public Plan {
      levels = List.copyOf(levels);
    }

    /**
     * The level that pages; empty when every level left was skipped (the escalation is exhausted).
     */
    public Optional<LevelPlan> paged() {
      return levels.isEmpty() || levels.get(levels.size() - 1).skipped()
          ? Optional.empty()
          : Optional.of(levels.get(levels.size() - 1));
    }

    /**
     * When the next level is due unless someone acknowledges; empty when nothing more will be paged
     * on its own.
     */
    public Optional<Instant> dueAt() {
      return Optional.ofNullable(next.dueAt());
    }
  }

  private EscalationPlanner() {}

  /**
   * Decides the first pageable step after {@code state.step()} at {@code at}.
   *
   * @param state where the escalation stands: its incident, step (-1 before the first page) and
   *     start are kept
   * @param triggered whether the incident is still unacknowledged (only then is an ack timer set)
   * @param policy the policy the state escalates by, from {@code teams}
   * @param overrides the schedule overrides in force (those not active at {@code at} are ignored)
   */
  public static Plan next(
      EscalationState state,
      boolean triggered,
      Instant at,
      TeamsFile teams,
      Policy policy,
      List<ScheduleOverride> overrides) {
    EscalationRules rules = teams.escalation();
    int steps = rules.steps(policy);
    List<LevelPlan> levels = new ArrayList<>();
    OnCall[] onCall = new OnCall[1]; // resolved once, when a level first needs it
    for (int step = state.step() + 1; step < steps; step++) {
      LevelPlan plan = level(teams, policy, step, at, overrides, onCall);
      levels.add(plan);
      if (plan.skipped()) {
        continue;
      }
      Instant due = triggered && step + 1 < steps ? at.plus(plan.level().ackTimeout()) : null;
      EscalationState.Status status =
          due != null
              ? EscalationState.Status.ACTIVE
              : triggered ? EscalationState.Status.EXHAUSTED : EscalationState.Status.STOPPED;
      return new Plan(
          at,
          levels,
          new EscalationState(
              state.incident(), policy.name(), step, status, due, state.startedAt()));
    }
    return new Plan(
        at,
        levels,
        new EscalationState(
            state.incident(),
            policy.name(),
            steps - 1,
            EscalationState.Status.EXHAUSTED,
            null,
            state.startedAt()));
  }

  /**
   * An escalation stopped by an acknowledgement whose incident is triggered again at {@code at}: it
   * resumes at the step it had reached, whose level was paged already, so nothing is paged now;
   * that level's ack timer runs anew from {@code at}. At the last step nothing is armed
   * (exhausted).
   */
  public static EscalationState resume(
      EscalationState stopped, Instant at, TeamsFile teams, Policy policy) {
    EscalationRules rules = teams.escalation();
    int step = stopped.step();
    return step + 1 < rules.steps(policy)
        ? new EscalationState(
            stopped.incident(),
            stopped.policy(),
            step,
            EscalationState.Status.ACTIVE,
            at.plus(rules.level(policy, step).ackTimeout()),
            stopped.startedAt())
        : new EscalationState(
            stopped.incident(),
            stopped.policy(),
            step,
            EscalationState.Status.EXHAUSTED,
            null,
            stopped.startedAt());
  }

  /**
   * An armed escalation held by hand until {@code until}: nothing is paged before then, and a later
   * ack timer stays later. The step and start are kept.
   */
  public static EscalationState snooze(EscalationState armed, Instant until) {
    Instant due = armed.dueAt().isAfter(until) ? armed.dueAt() : until;
    return new EscalationState(
        armed.incident(),
        armed.policy(),
        armed.step(),
        EscalationState.Status.SNOOZED,
        due,
        armed.startedAt());
  }

  /**
   * A snoozed escalation woken at {@code at} (a new alert arrived): active again, with the held
   * step due at once.
   */
  public static EscalationState wake(EscalationState snoozed, Instant at) {
    return new EscalationState(
        snoozed.incident(),
        snoozed.policy(),
        snoozed.step(),
        EscalationState.Status.ACTIVE,
        at,
        snoozed.startedAt());
  }

  /**
   * An escalation stopped where it stands (the incident was acknowledged or resolved, or its policy
   * left teams.yaml): nothing more is paged on its own.
   */
  public static EscalationState stop(EscalationState s) {
    return new EscalationState(
        s.incident(), s.policy(), s.step(), EscalationState.Status.STOPPED, null, s.startedAt());
  }

  /**
   * Level {@code step} of {@code policy} at {@code at}: its targets and which of them can be paged.
   */
  public static LevelPlan level(
      TeamsFile teams, Policy policy, int step, Instant at, List<ScheduleOverride> overrides) {
    return level(teams, policy, step, at, overrides, new OnCall[1]);
  }

  private static LevelPlan level(
      TeamsFile teams,
      Policy policy,
      int step,
      Instant at,
      List<ScheduleOverride> overrides,
      OnCall[] onCall) {
    Level level = teams.escalation().level(policy, step);
    List<TeamId> targets;
    if (level.target() instanceof Target.Team t) {
      targets = List.of(t.id());
    } else {
      if (onCall[0] == null) {
        // Resolver.at is a function of its arguments; the clock it is given is never read here
        onCall[0] =
            new Resolver(teams.schedule(), Clock.fixed(at, ZoneOffset.UTC)).at(at, overrides);
      }
      targets =
          level.target() instanceof Target.Next
              ? onCall[0].next().map(h -> List.of(h.team())).orElse(List.of())
              : onCall[0].active();
    }
    List<Team> paged = new ArrayList<>();
    List<TeamId> noChannel = new ArrayList<>();
    for (TeamId id : targets) {
      Optional<Team> team = teams.schedule().team(id);
      if (team.isEmpty() || team.get().channels().kinds().isEmpty()) {
        noChannel.add(id);
      } else {
        paged.add(team.get());
      }
    }
    return new LevelPlan(step, levelName(policy, step), level, targets, paged, noChannel);
  }

  /** {@code level 2}, or past the policy's levels {@code level 3 (repeat 1)}. */
  public static String levelName(Policy policy, int step) {
    int levels = policy.levels().size();
    return step < levels
        ? "level " + (step + 1)
        : "level " + levels + " (repeat " + (step - levels + 1) + ")";
  }
}
