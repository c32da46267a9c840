package dev.vigil.classify;

import dev.vigil.alert.Matcher;
import dev.vigil.incident.Severity;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules of classification.yaml, first match wins, and the heartbeats it lists.
 *
 * @param defaultSeverity used when no rule sets one and the alert has no valid {@code severity}
 *     label
 */
public record Classification(
    List<Rule> rules, Severity defaultSeverity, String defaultType, List<Heartbeat> heartbeats) {
  public static final Classification EMPTY =
      new Classification(List.of(), Severity.WARNING, "unknown", List.of());

  public Classification {
    rules = List.copyOf(rules);
    heartbeats = List.copyOf(heartbeats);
  }

  /** The first rule whose matchers all hold, if any. */
  public Optional<Rule> firstMatch(Map<String, String> labels) {
    return rules.stream().filter(r -> Matcher.matchesAll(r.match(), labels)).findFirst();
  }
}
