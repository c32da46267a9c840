package dev.vigil.stats;

import dev.vigil.stats.StatsInput.IncidentTimes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Incident statistics over a window: time to acknowledge and to resolve, how many incidents
 * runbooks resolved alone, how many escalated, pages per team and runbook success. Pure: computed
 * from a {@link StatsInput}.
 *
 * @param mtta from opening to the first acknowledgement, over acknowledged incidents
 * @param mttr from opening to resolution, over resolved incidents (runbook resolutions included)
 * @param autoResolved incidents a runbook resolved with no human acknowledgement
 * @param escalated incidents paged past the first level
 */
public record Stats(
    int incidents,
    Summary mtta,
    Summary mttr,
    int autoResolved,
    int escalated,
    Map<String, Long> pagesPerTeam,
    Map<String, StatsInput.RunTally> runbooks) {

  /** Share of the window's incidents resolved by a runbook alone; null with no incidents. */
  public Double autoResolutionRate() {
    return rate(autoResolved);
  }

  /** Share of the window's incidents paged past the first level; null with no incidents. */
  public Double escalationRate() {
    return rate(escalated);
  }

  private Double rate(int n) {
    return incidents == 0 ? null : (double) n / incidents;
  }

  public static Stats of(StatsInput in) {
    List<IncidentTimes> all = in.incidents();
    return new Stats(
        all.size(),
        Summary.of(durations(all, IncidentTimes::acknowledgedAt)),
        Summary.of(durations(all, IncidentTimes::resolvedAt)),
        (int) all.stream().filter(IncidentTimes::autoResolved).count(),
        (int) all.stream().filter(IncidentTimes::escalated).count(),
        new TreeMap<>(in.pagesPerTeam()),
        new TreeMap<>(in.runs()));
  }

  private static List<Duration> durations(
      List<IncidentTimes> all, Function<IncidentTimes, Instant> end) {
    return all.stream()
        .filter(i -> end.apply(i) != null)
        .map(i -> Duration.between(i.openedAt(), end.apply(i)))
        .toList();
  }

  /**
   * Mean and percentiles of durations; percentiles by nearest rank (p90 of ten values is the ninth
   * smallest), so every value reported is one that happened. Null fields when there is nothing to
   * sum up.
   */
  public record Summary(int count, Duration mean, Duration p50, Duration p90) {
    static Summary of(List<Duration> values) {
      if (values.isEmpty()) {
        return new Summary(0, null, null, null);
      }
      List<Duration> sorted = values.stream().sorted().toList();
      long totalMillis = sorted.stream().mapToLong(Duration::toMillis).sum();
      return new Summary(
          sorted.size(),
          Duration.ofMillis(totalMillis / sorted.size()),
          rank(sorted, 50),
          rank(sorted, 90));
    }

    private static Duration rank(List<Duration> sorted, int percent) {
      int n = (int) Math.ceil(percent / 100.0 * sorted.size());
      return sorted.get(Math.max(1, n) - 1);
    }

    /** Seconds, or null. */
    public static Double seconds(Duration d) {
      return d == null ? null : d.toMillis() / 1000.0;
    }
  }
}
