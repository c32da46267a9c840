package dev.vigil.oncall;

import java.time.ZoneId;
import java.util.List;

/**
 * A team that takes pages during its coverage windows.
 *
 * @param timezone for display and local times in messages; windows are UTC unless they name a zone
 */
public record Team(
    TeamId id,
    String name,
    String region,
    ZoneId timezone,
    List<Window> coverage,
    Channels channels) {
  public Team {
    coverage = List.copyOf(coverage);
  }
}
