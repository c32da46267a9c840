package dev.vigil.classify;

import dev.vigil.alert.Matcher;
import dev.vigil.incident.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An alert that should always be firing (Alertmanager's Watchdog). When none matching {@code match}
 * has arrived for {@code missingAfter}, Vigil opens an incident of {@code severity}; it resolves
 * when the heartbeat comes back.
 *
 * @param name a stable name for the heartbeat, used in its incident's group key ({@code
 *     heartbeat:<name>})
 */
public record Heartbeat(
    String name, List<Matcher> match, Duration missingAfter, Severity severity, String summary) {
  public Heartbeat {
    match = List.copyOf(match);
  }

  public boolean matches(Map<String, String> labels) {
    return Matcher.matchesAll(match, labels);
  }
}
