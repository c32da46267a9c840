package dev.vigil.classify;

import dev.vigil.incident.Severity;
import dev.vigil.incident.Triage;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.TeamId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Triage by classification rules, assigning each new incident to the team on call when it opens.
 *
 * <p>Severity: the first matching rule's, else the alert's own {@code severity} label when it is
 * one of the four, else the default. Type: the rule's, else the default. A rule with {@code drop:
 * true} records the incident without paging. Pure and non-blocking: overrides come from an
 * in-memory snapshot, so it can run inside the ingest transaction. The rules may be live (the
 * daemon's, which a reload of classification.yaml replaces): each triage reads them once.
 */
public final class Classifier implements Triage {
  private final Supplier<Classification> classification;
  private final Resolver resolver;
  private final Supplier<List<ScheduleOverride>> overrides;

  public Classifier(
      Classification classification,
      Resolver resolver,
      Supplier<List<ScheduleOverride>> overrides) {
    this(() -> classification, resolver, overrides);
  }

  /** Triage by the rules {@code classification} gives at each call. */
  public Classifier(
      Supplier<Classification> classification,
      Resolver resolver,
      Supplier<List<ScheduleOverride>> overrides) {
    this.classification = classification;
    this.resolver = resolver;
    this.overrides = overrides;
  }

  public Classification classification() {
    return classification.get();
  }

  @Override
  public Outcome triage(Map<String, String> labels, Instant now) {
    Classification classification = this.classification.get();
    Optional<Rule> rule = classification.firstMatch(labels);
    Severity severity =
        rule.flatMap(Rule::severity)
            .or(() -> Severity.parse(labels.get("severity")))
            .orElse(classification.defaultSeverity());
    String type = rule.flatMap(Rule::type).orElse(classification.defaultType());
    boolean drop = rule.map(Rule::drop).orElse(false);
    String team =
        resolver.activeTeams(now, overrides.get()).stream()
            .findFirst()
            .map(TeamId::value)
            .orElse(null);
    return new Outcome(severity, type, team, drop);
  }
}
