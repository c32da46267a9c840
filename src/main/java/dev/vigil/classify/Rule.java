package dev.vigil.classify;

import dev.vigil.alert.Matcher;
import dev.vigil.incident.Severity;
import java.util.List;
import java.util.Optional;

/**
 * One classification rule: when every matcher holds, the incident gets this severity and type (each
 * optional), or is only recorded ({@code drop}).
 */
public record Rule(
    List<Matcher> match, Optional<Severity> severity, Optional<String> type, boolean drop) {
  public Rule {
    match = List.copyOf(match);
  }
}
