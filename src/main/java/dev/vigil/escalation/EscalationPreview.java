package dev.vigil.escalation;

import dev.vigil.incident.Severity;
import dev.vigil.oncall.OnCall;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who would be paged at each escalation level, and when, if nobody acknowledged: the same decisions
 * the {@link Escalator} makes (targets resolved at each level's own instant, empty levels skipped at
 * once), computed without a store. For {@code vigil simulate}. Pure.
 */
public final class EscalationPreview {

  /** One level as it would go: paged teams, or why it would be skipped. */
  public record Step(int step, String level, Target target, Instant at, List<TeamId> teams, List<String> channels, String skipped) {}

  private EscalationPreview() {}

  /** The steps of the severity's policy from {@code start}; empty when the severity pages nobody. */
  public static List<Step> of(TeamsFile teams, Severity severity, Instant start, List<ScheduleOverride> overrides) {
    EscalationRules rules = teams.escalation();
    Optional<Policy> policy = rules.policyFor(severity);
    if (policy.isEmpty()) {
      return List.of();
    }
    Resolver resolver = new Resolver(teams.schedule(), java.time.Clock.systemUTC());
    List<Step> out = new ArrayList<>();
    Instant t = start;
    Policy p = policy.get();
    for (int step = 0; step < rules.steps(p); step++) {
      Level level = rules.level(p, step);
      OnCall oc = resolver.at(t, overrides);
      List<TeamId> targets = level.target() instanceof Target.Team team ? List.of(team.id())
          : level.target() instanceof Target.Next ? oc.next().map(h -> List.of(h.team())).orElse(List.<TeamId>of())
          : oc.active();
      List<TeamId> paged = new ArrayList<>();
      List<String> channels = new ArrayList<>();
      List<String> noChannel = new ArrayList<>();
      for (TeamId id : targets) {
        List<String> kinds = teams.schedule().team(id).map(Team::channels).map(c -> c.kinds()).orElse(List.of());
        if (kinds.isEmpty()) {
          noChannel.add(id.value());
        } else {
          paged.add(id);
          kinds.stream().filter(k -> !channels.contains(k)).forEach(channels::add);
        }
      }
      String skipped = targets.isEmpty() ? "nobody is on call" + (level.target() instanceof Target.Next ? " next" : "")
          : paged.isEmpty() ? "no channel configured for team " + String.join(", ", noChannel) : null;
      out.add(new Step(step, Escalator.levelName(p, step), level.target(), t, paged, channels, skipped));
      if (skipped == null) {
        t = t.plus(level.ackTimeout());
      }
    }
    return out;
  }
}
