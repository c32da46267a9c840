package dev.vigil.oncall;

import dev.vigil.config.Pos;
import dev.vigil.config.Problems;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds holes and overlaps in coverage before they page nobody (or two teams): walks every minute
 * from a start instant over a horizon (eight weeks by default, so every zone's daylight-saving
 * change in that time is walked too) and reports each span that no window covers and each span that
 * two or more teams cover.
 *
 * <p>A span that recurs (the same teams at the same UTC time of day) is reported once, with how
 * often and when it first happens, so a daily hole is one warning and not 56. When no
 * daylight-saving change of a zone in use falls within the horizon, the days around its next
 * changes are walked too.
 */
public final class CoverageLint {
  public static final Duration HORIZON = Duration.ofDays(56);

  /** A stretch of time no team covers ({@code teams} empty) or that several teams cover. */
  public record Span(Instant start, Instant end, List<TeamId> teams) {
    public boolean isGap() {
      return teams.isEmpty();
    }
  }

  /** One reported finding: a span shape and every time it occurs in the horizon. */
  public record Finding(Span first, int occurrences, String message) {}

  private CoverageLint() {}

  /** Every uncovered or overlapping span, in time order, at minute resolution. */
  public static List<Span> spans(Schedule schedule, Instant from, Duration horizon) {
    Instant start = from.truncatedTo(ChronoUnit.MINUTES);
    long minutes = horizon.toMinutes();
    List<Span> out = new ArrayList<>();
    List<TeamId> runTeams = null;
    Instant runStart = null;
    for (long m = 0; m <= minutes; m++) {
      Instant t = start.plus(m, ChronoUnit.MINUTES);
      List<TeamId> covering = m == minutes ? null : schedule.covering(t);
      boolean notable = covering != null && covering.size() != 1;
      if (runTeams != null && (!notable || !covering.equals(runTeams))) {
        out.add(new Span(runStart, t, runTeams));
        runTeams = null;
      }
      if (notable && runTeams == null) {
        runTeams = covering;
        runStart = t;
      }
    }
    return out;
  }

  /**
   * The stretches walked: {@code [from, from + horizon)}, plus four days around each of the next
   * two daylight-saving changes of every zone a window uses, when they fall after the horizon, so a
   * local window's behaviour on change days is linted even in a winter with no change ahead.
   */
  public static List<Instant[]> walks(Schedule schedule, Instant from, Duration horizon) {
    List<Instant[]> out = new ArrayList<>();
    Instant end = from.plus(horizon);
    out.add(new Instant[] {from, end});
    Set<ZoneId> zones = new LinkedHashSet<>();
    schedule
        .teams()
        .forEach(
            t -> t.coverage().stream().filter(w -> !w.isUtc()).forEach(w -> zones.add(w.zone())));
    TreeSet<Instant> changes = new TreeSet<>();
    for (ZoneId z : zones) {
      ZoneOffsetTransition t = z.getRules().nextTransition(from);
      for (int i = 0; i < 2 && t != null; i++, t = z.getRules().nextTransition(t.getInstant())) {
        if (!t.getInstant().isBefore(end)) {
          changes.add(t.getInstant());
        }
      }
    }
    Instant walkedTo = end;
    for (Instant c : changes) {
      Instant a = c.minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS);
      Instant b = c.plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS);
      if (a.isBefore(walkedTo)) {
        a = walkedTo;
      }
      if (b.isAfter(a)) {
        out.add(new Instant[] {a, b});
        walkedTo = b;
      }
    }
    return out;
  }

  /** Groups recurring spans of every walk and words them for an operator. */
  public static List<Finding> findings(Schedule schedule, Instant from, Duration horizon) {
    Map<String, List<Span>> groups = new LinkedHashMap<>();
    List<Span> all = new ArrayList<>();
    for (Instant[] walk : walks(schedule, from, horizon)) {
      all.addAll(spans(schedule, walk[0], Duration.between(walk[0], walk[1])));
    }
    for (Span s : all) {
      String key =
          s.teams()
              + " "
              + time(s.start())
              + " "
              + time(s.end())
              + " "
              + Duration.between(s.start(), s.end()).toMinutes();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }
    List<Finding> out = new ArrayList<>();
    for (List<Span> g : groups.values()) {
      Span s = g.get(0);
      String when =
          time(s.start())
              + "–"
              + time(s.end())
              + " UTC"
              + (g.size() == 1
                  ? " on " + s.start() + " to " + s.end()
                  : ", " + g.size() + " times, first " + s.start() + " to " + s.end());
      String message;
      if (s.isGap()) {
        message =
            "coverage: no team covers "
                + when
                + "; "
                + schedule
                    .fallback()
                    .map(f -> "fallbackTeam " + f + " would be paged")
                    .orElse("nobody would be paged (no fallbackTeam)");
      } else {
        String teams = s.teams().stream().map(TeamId::value).collect(Collectors.joining(", "));
        message =
            "coverage: teams "
                + teams
                + " overlap "
                + when
                + "; "
                + (schedule.overlap() == Overlap.FIRST
                    ? "overlap: first pages " + s.teams().get(0)
                    : "overlap: all pages all of them");
      }
      out.add(new Finding(s, g.size(), message));
    }
    return out;
  }

  /**
   * Adds each finding as a warning: a hole at {@code holesAt} (the {@code teams} key), an overlap
   * at the first window of the last team listed in it.
   */
  public static void report(Schedule schedule, Instant from, Pos holesAt, Problems problems) {
    // From the start of the UTC day, so that a span is not cut in two by the minute the lint runs
    // (09:09 inside a 09:00–13:00 overlap would otherwise report 09:09–13:00 today and 09:00–09:09
    // eight weeks on) and the report stays the same all day.
    Instant start = from.truncatedTo(ChronoUnit.DAYS);
    for (Finding f : findings(schedule, start, HORIZON)) {
      Pos at = holesAt;
      if (!f.first().isGap()) {
        TeamId last = f.first().teams().get(f.first().teams().size() - 1);
        at =
            schedule
                .team(last)
                .flatMap(
                    t -> t.coverage().stream().filter(w -> w.covers(f.first().start())).findFirst())
                .map(Window::pos)
                .orElse(holesAt);
      }
      problems.warning(at, f.message());
    }
  }

  private static String time(Instant t) {
    return LocalTime.ofInstant(t, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).toString();
  }
}
