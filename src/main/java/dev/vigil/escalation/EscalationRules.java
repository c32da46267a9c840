package dev.vigil.escalation;

import dev.vigil.incident.Severity;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code escalation} section of teams.yaml: the policies, which one each severity uses, how
 * often the last level repeats and which severities page even while a runbook is trying.
 *
 * @param bySeverity severity to policy name; a severity mapped to empty ({@code none}) is recorded
 *     only
 * @param repeat how many more times the last level is paged after its first time
 */
public record EscalationRules(
    Map<String, Policy> policies,
    Map<Severity, Optional<String>> bySeverity,
    int repeat,
    Set<Severity> pageDuringRunbook) {
  public EscalationRules {
    policies = Map.copyOf(policies);
    bySeverity = bySeverity.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(bySeverity));
    pageDuringRunbook = Set.copyOf(pageDuringRunbook);
  }

  /**
   * The policy for a severity. A severity not listed in {@code bySeverity} uses the policy named
   * {@code default} if there is one; one listed as {@code none} has no policy.
   */
  public Optional<Policy> policyFor(Severity severity) {
    Optional<String> name =
        bySeverity.containsKey(severity) ? bySeverity.get(severity) : Optional.of("default");
    return name.map(policies::get);
  }

  /** Whether this severity pages at once even when a runbook will handle the incident. */
  public boolean pagesDuringRunbook(Severity severity) {
    return pageDuringRunbook.contains(severity);
  }

  /** How many levels an incident of this policy passes through, counting repeats of the last. */
  public int steps(Policy policy) {
    return policy.levels().size() + repeat;
  }

  /** The level of step {@code n} (0-based): past the end, the last level again. */
  public Level level(Policy policy, int step) {
    return policy.levels().get(Math.min(step, policy.levels().size() - 1));
  }
}
