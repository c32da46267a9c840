package dev.vigil.classify;

import dev.vigil.incident.Severity;
import dev.vigil.incident.Triage;
import java.time.Instant;
import java.util.Map;

/**
 * The simplest triage: severity from the {@code severity} label (anything unknown is a warning),
 * type from the {@code type} label, no team. Used until classification rules are configured.
 */
public final class LabelTriage implements Triage {
  @Override
  public Outcome triage(Map<String, String> labels, Instant now) {
    Severity severity = Severity.parse(labels.get("severity")).orElse(Severity.WARNING);
    return new Outcome(severity, labels.getOrDefault("type", "unknown"), null, false);
  }
}
