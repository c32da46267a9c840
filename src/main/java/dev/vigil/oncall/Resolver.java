package dev.vigil.oncall;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Answers "who is on call at this instant, and who comes next?" from a {@link Schedule} and the
 * overrides in force. {@link #at} is a pure function of its arguments and the schedule; {@link
 * #now} reads the injected clock. Thread-safe. Built on a live schedule (the daemon's, which a
 * reload of teams.yaml replaces), each call reads the schedule once, so one answer never mixes two
 * versions.
 *
 * <p>Order of precedence: the newest override active at the instant; else the teams whose windows
 * cover it (all of them, or only the first listed, per {@link Overlap}); else the fallback team.
 */
public final class Resolver {
  /** How far {@link OnCall#next()} looks: a week plus a day, so a weekly window is always seen. */
  public static final Duration LOOK_AHEAD = Duration.ofDays(8);

  /**
   * The instants this resolver answers for: the years RFC 3339 can write, 0000 to 9999. Further
   * out, zone arithmetic overflows {@code java.time} ({@code DateTimeException}); callers refuse
   * such a time first.
   */
  public static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");

  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  /** Whether {@link #at} answers for {@code t}; see {@link #EARLIEST}. */
  public static boolean covers(Instant t) {
    return !t.isBefore(EARLIEST) && !t.isAfter(LATEST);
  }

  private static final Comparator<ScheduleOverride> NEWEST_FIRST =
      Comparator.comparing(ScheduleOverride::createdAt)
          .thenComparingLong(ScheduleOverride::id)
          .reversed();

  private final Supplier<Schedule> schedule;
  private final Clock clock;

  public Resolver(Schedule schedule, Clock clock) {
    this(() -> schedule, clock);
  }

  /** A resolver that answers from whatever schedule {@code schedule} gives at each call. */
  public Resolver(Supplier<Schedule> schedule, Clock clock) {
    this.schedule = schedule;
    this.clock = clock;
  }

  /** The schedule in force now. */
  public Schedule schedule() {
    return schedule.get();
  }

  public OnCall now(List<ScheduleOverride> overrides) {
    return at(clock.instant(), overrides);
  }

  /** Who is on call at {@code t} and the next handoff after it. */
  public OnCall at(Instant t, List<ScheduleOverride> overrides) {
    Schedule schedule = this.schedule.get();
    OnCall current = activeAt(schedule, t, overrides);
    return new OnCall(
        t,
        current.active(),
        current.fallback(),
        current.override(),
        nextHandoff(schedule, t, current.active(), overrides));
  }

  /** The teams on call at {@code t}, without looking ahead. */
  public List<TeamId> activeTeams(Instant t, List<ScheduleOverride> overrides) {
    return activeAt(schedule.get(), t, overrides).active();
  }

  private static OnCall activeAt(Schedule schedule, Instant t, List<ScheduleOverride> overrides) {
    Optional<ScheduleOverride> override =
        overrides.stream().filter(o -> o.activeAt(t)).min(NEWEST_FIRST);
    if (override.isPresent()) {
      return new OnCall(t, List.of(override.get().team()), false, override, Optional.empty());
    }
    List<TeamId> covering = schedule.covering(t);
    if (covering.isEmpty()) {
      return new OnCall(
          t,
          schedule.fallback().map(List::of).orElse(List.of()),
          true,
          Optional.empty(),
          Optional.empty());
    }
    List<TeamId> active = schedule.overlap() == Overlap.FIRST ? List.of(covering.get(0)) : covering;
    return new OnCall(t, active, false, Optional.empty(), Optional.empty());
  }

  /**
   * The first instant after {@code t} (within {@link #LOOK_AHEAD}) at which a team not in {@code
   * current} comes on call. Coverage only changes at window and override edges, so only those are
   * examined.
   */
  private static Optional<Handoff> nextHandoff(
      Schedule schedule, Instant t, List<TeamId> current, List<ScheduleOverride> overrides) {
    Instant until = t.plus(LOOK_AHEAD);
    TreeSet<Instant> edges = new TreeSet<>();
    for (Team team : schedule.teams()) {
      for (Window w : team.coverage()) {
        edges.addAll(w.edgesBetween(t, until));
      }
    }
    for (ScheduleOverride o : overrides) {
      for (Instant e : List.of(o.from(), o.until())) {
        if (e.isAfter(t) && !e.isAfter(until)) {
          edges.add(e);
        }
      }
    }
    for (Instant e : edges) {
      for (TeamId team : activeAt(schedule, e, overrides).active()) {
        if (!current.contains(team)) {
          return Optional.of(new Handoff(team, e));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Shifts of every team starting in {@code [from, until)}, by start time (for handoff digests).
   */
  public List<Shift> shiftsStartingBetween(Instant from, Instant until) {
    List<Shift> out = new ArrayList<>();
    for (Team team : schedule.get().teams()) {
      for (Window w : team.coverage()) {
        out.addAll(w.shiftsStartingBetween(team.id(), from, until));
      }
    }
    out.sort(Comparator.comparing(Shift::start).thenComparing(s -> s.team().value()));
    return out;
  }
}
