package dev.vigil.oncall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Pos;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random UTC window sets and instants against an oracle written differently from {@link Window}
 * (arithmetic on milliseconds of the day instead of instants of shifts).
 */
class OncallWindowPropertyTest {
  private static final long DAY = 86_400_000L;
  private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * The oracle: is {@code t} in {@code [from, from + length)} of a shift starting today or
   * yesterday?
   */
  static boolean oracleCovers(Window w, Instant t) {
    long ms = Math.floorMod(t.toEpochMilli(), DAY);
    LocalDate day = LocalDate.ofInstant(t, ZoneOffset.UTC);
    long from = w.from().toSecondOfDay() * 1000L;
    long length = Math.floorMod(w.to().toSecondOfDay() * 1000L - from, DAY);
    if (length == 0) {
      length = DAY;
    }
    for (int k = 0; k <= 1; k++) {
      DayOfWeek startDay = day.minusDays(k).getDayOfWeek();
      long offset = ms + k * DAY;
      if ((w.days().isEmpty() || w.days().contains(startDay))
          && offset >= from
          && offset < from + length) {
        return true;
      }
    }
    return false;
  }

  static List<TeamId> oracleActive(Schedule s, Instant t) {
    List<TeamId> covering = new ArrayList<>();
    for (Team team : s.teams()) {
      if (team.coverage().stream().anyMatch(w -> oracleCovers(w, t))) {
        covering.add(team.id());
      }
    }
    if (covering.isEmpty()) {
      return s.fallback().map(List::of).orElse(List.of());
    }
    return s.overlap() == Overlap.FIRST ? List.of(covering.get(0)) : covering;
  }

  @Provide
  Arbitrary<Window> windows() {
    Arbitrary<LocalTime> minute =
        Arbitraries.integers().between(0, 1439).map(m -> LocalTime.of(m / 60, m % 60));
    Arbitrary<Set<DayOfWeek>> days =
        Arbitraries.of(DayOfWeek.class)
            .set()
            .ofMaxSize(7)
            .map(s -> s.isEmpty() ? Set.<DayOfWeek>of() : EnumSet.copyOf(s));
    return Combinators.combine(minute, minute, days)
        .as((f, t, d) -> new Window(f, t, d, ZoneOffset.UTC, Pos.of("prop")));
  }

  @Provide
  Arbitrary<Schedule> schedules() {
    Arbitrary<List<Window>> coverage = windows().list().ofMinSize(1).ofMaxSize(3);
    return Combinators.combine(
            coverage.list().ofMinSize(1).ofMaxSize(4),
            Arbitraries.of(Overlap.class),
            Arbitraries.of(true, false))
        .as(
            (cov, overlap, hasFallback) -> {
              List<Team> teams = new ArrayList<>();
              for (int i = 0; i < cov.size(); i++) {
                teams.add(
                    new Team(
                        new TeamId("t" + i),
                        "t" + i,
                        "",
                        ZoneOffset.UTC,
                        cov.get(i),
                        Channels.NONE));
              }
              return new Schedule(
                  teams, overlap, hasFallback ? Optional.of(new TeamId("t0")) : Optional.empty());
            });
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Instant> any = Arbitraries.longs().between(0, 730 * DAY).map(BASE::plusMillis);
    // instants on and right next to minute boundaries, where window edges are
    Arbitrary<Instant> edgy =
        Combinators.combine(
                Arbitraries.longs().between(0, 730L * 1440), Arbitraries.of(-1L, 0L, 1L))
            .as((m, d) -> BASE.plus(m, ChronoUnit.MINUTES).plusMillis(d));
    return Arbitraries.oneOf(any, edgy);
  }

  @Property(tries = 1000)
  void exactlyTheRightTeamsAreActive(
      @ForAll("schedules") Schedule schedule, @ForAll("instants") Instant t) {
    Resolver r = new Resolver(schedule, Clock.systemUTC());
    assertThat(r.activeTeams(t, List.of())).isEqualTo(oracleActive(schedule, t));
  }

  @Property(tries = 1000)
  void aWindowThatWrapsMidnightCoversBothSides(@ForAll("instants") Instant t) {
    Window w = Window.utc("21:00", "05:00");
    LocalTime tod = LocalTime.ofInstant(t, ZoneOffset.UTC);
    boolean expected = !tod.isBefore(LocalTime.of(21, 0)) || tod.isBefore(LocalTime.of(5, 0));
    assertThat(w.covers(t)).as("%s at %s", w.describe(), t).isEqualTo(expected);
  }

  @Property(tries = 500)
  void edgesAreHalfOpen(@ForAll("windows") Window window, @ForAll("instants") Instant anyDay) {
    Window w = new Window(window.from(), window.to(), Set.of(), ZoneOffset.UTC, window.pos());
    LocalDate day = LocalDate.ofInstant(anyDay, ZoneOffset.UTC);
    Instant start = day.atTime(w.from()).toInstant(ZoneOffset.UTC);
    Instant end =
        (w.to().isAfter(w.from()) ? day : day.plusDays(1)).atTime(w.to()).toInstant(ZoneOffset.UTC);
    assertThat(w.covers(start)).as("start %s of %s", start, w.describe()).isTrue();
    assertThat(w.covers(end.minusMillis(1)))
        .as("last ms before %s of %s", end, w.describe())
        .isTrue();
    if (!w.from().equals(w.to())) { // an all-day window has no gap at its edge
      assertThat(w.covers(end)).as("end %s of %s", end, w.describe()).isFalse();
      assertThat(w.covers(start.minusMillis(1)))
          .as("ms before start %s of %s", start, w.describe())
          .isFalse();
    }
  }

  @Property(tries = 60)
  void nextHandoffIsTheFirstTimeANewTeamComesOn(
      @ForAll("schedules") Schedule schedule, @ForAll("instants") Instant t) {
    Resolver r = new Resolver(schedule, Clock.systemUTC());
    OnCall now = r.at(t, List.of());
    Instant horizon = now.next().map(Handoff::at).orElse(t.plus(Resolver.LOOK_AHEAD));
    // windows start and end on whole minutes, so checking every minute boundary sees every change
    for (Instant m = t.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        m.isBefore(horizon);
        m = m.plus(1, ChronoUnit.MINUTES)) {
      assertThat(now.active())
          .as("no new team at %s before the handoff %s", m, now.next())
          .containsAll(oracleActive(schedule, m));
    }
    now.next()
        .ifPresent(
            h -> {
              assertThat(oracleActive(schedule, h.at())).contains(h.team());
              assertThat(now.active()).doesNotContain(h.team());
            });
  }
}
