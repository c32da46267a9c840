package dev.vigil.oncall;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The teams of teams.yaml with their coverage, in the order listed (which {@link Overlap#FIRST}
 * uses), the overlap rule and the team paged when no window covers an instant.
 */
public record Schedule(List<Team> teams, Overlap overlap, Optional<TeamId> fallback) {
  public Schedule {
    teams = List.copyOf(teams);
  }

  public Optional<Team> team(TeamId id) {
    return teams.stream().filter(t -> t.id().equals(id)).findFirst();
  }

  /**
   * Every team with a window covering {@code t}, in the order listed, ignoring the overlap rule.
   */
  public List<TeamId> covering(Instant t) {
    List<TeamId> out = new ArrayList<>(2);
    for (Team team : teams) {
      for (Window w : team.coverage()) {
        if (w.covers(t)) {
          out.add(team.id());
          break;
        }
      }
    }
    return out;
  }
}
