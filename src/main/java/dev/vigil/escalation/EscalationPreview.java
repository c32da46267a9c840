package dev.vigil.escalation;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.Severity;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who would be paged at each escalation level, and when, if nobody acknowledged: the decisions of
 * {@link EscalationPlanner} the {@link Escalator} would make, each at the instant the previous ack
 * timer runs out (empty levels skipped at once), computed without a store. For {@code vigil
 * simulate}. Pure.
 */
public final class EscalationPreview {

  /** One level as it would go: paged teams, or why it would be skipped. */
  public record Step(
      int step,
      String level,
      Target target,
      Instant at,
      List<TeamId> teams,
      List<String> channels,
      String skipped) {}

  /** The incident a preview escalates: never stored, only carried through the planner's states. */
  private static final IncidentId PREVIEW = new IncidentId(0);

  private EscalationPreview() {}

  /**
   * The steps of the severity's policy from {@code start}; empty when the severity pages nobody.
   */
  public static List<Step> of(
      TeamsFile teams, Severity severity, Instant start, List<ScheduleOverride> overrides) {
    Optional<Policy> policy = teams.escalation().policyFor(severity);
    if (policy.isEmpty()) {
      return List.of();
    }
    Policy p = policy.get();
    List<Step> out = new ArrayList<>();
    EscalationState state =
        new EscalationState(PREVIEW, p.name(), -1, EscalationState.Status.ACTIVE, null, start);
    Instant t = start;
    while (true) {
      EscalationPlanner.Plan plan = EscalationPlanner.next(state, true, t, teams, p, overrides);
      for (EscalationPlanner.LevelPlan level : plan.levels()) {
        out.add(step(level, t));
      }
      if (plan.dueAt().isEmpty()) {
        return out; // the last level was paged, or no level was left to page
      }
      state = plan.next();
      t = plan.dueAt().get();
    }
  }

  private static Step step(EscalationPlanner.LevelPlan level, Instant at) {
    Target target = level.level().target();
    List<String> channels = new ArrayList<>();
    level
        .paged()
        .forEach(
            team ->
                team.channels().kinds().stream()
                    .filter(k -> !channels.contains(k))
                    .forEach(channels::add));
    String skipped =
        level.targets().isEmpty()
            ? "nobody is on call" + (target instanceof Target.Next ? " next" : "")
            : level.skipped()
                ? "no channel configured for team "
                    + String.join(", ", level.noChannel().stream().map(TeamId::value).toList())
                : null;
    return new Step(
        level.step(),
        level.name(),
        target,
        at,
        level.paged().stream().map(Team::id).toList(),
        channels,
        skipped);
  }
}
