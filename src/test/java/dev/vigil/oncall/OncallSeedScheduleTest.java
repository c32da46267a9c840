package dev.vigil.oncall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Pos;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seed schedule (us 21–05, eu 05–13, india 09–17, ph 13–21 weekdays, overlap first, fallback
 * us).
 */
class OncallSeedScheduleTest {
  static final Schedule SEED = seed(Overlap.FIRST);

  static Schedule seed(Overlap overlap) {
    return new Schedule(
        List.of(
            team("us", Window.utc("21:00", "05:00")),
            team("eu", Window.utc("05:00", "13:00")),
            team("india", Window.utc("09:00", "17:00")),
            team(
                "ph",
                new Window(
                    LocalTime.parse("13:00"),
                    LocalTime.parse("21:00"),
                    Set.of(
                        DayOfWeek.MONDAY,
                        DayOfWeek.TUESDAY,
                        DayOfWeek.WEDNESDAY,
                        DayOfWeek.THURSDAY,
                        DayOfWeek.FRIDAY),
                    ZoneOffset.UTC,
                    Pos.of("teams.yaml")))),
        overlap,
        Optional.of(new TeamId("us")));
  }

  static Team team(String id, Window... windows) {
    return new Team(new TeamId(id), id, "", ZoneOffset.UTC, List.of(windows), Channels.NONE);
  }

  private final Resolver resolver =
      new Resolver(SEED, Clock.fixed(Instant.parse("2026-11-29T00:00:00Z"), ZoneOffset.UTC));

  // Monday 2026-11-30 and Saturday 2026-12-05 at every hour, then each edge to the millisecond.
  @ParameterizedTest(name = "{0} -> {1} (fallback {2}), next {3} at {4}")
  @CsvSource(
      textBlock =
          """
      2026-11-30T00:00:00Z, us, false, eu, 2026-11-30T05:00:00Z
      2026-11-30T01:00:00Z, us, false, eu, 2026-11-30T05:00:00Z
      2026-11-30T02:00:00Z, us, false, eu, 2026-11-30T05:00:00Z
      2026-11-30T03:00:00Z, us, false, eu, 2026-11-30T05:00:00Z
      2026-11-30T04:00:00Z, us, false, eu, 2026-11-30T05:00:00Z
      2026-11-30T05:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T06:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T07:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T08:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T09:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T10:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T11:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T12:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T13:00:00Z, india, false, ph, 2026-11-30T17:00:00Z
      2026-11-30T14:00:00Z, india, false, ph, 2026-11-30T17:00:00Z
      2026-11-30T15:00:00Z, india, false, ph, 2026-11-30T17:00:00Z
      2026-11-30T16:00:00Z, india, false, ph, 2026-11-30T17:00:00Z
      2026-11-30T17:00:00Z, ph, false, us, 2026-11-30T21:00:00Z
      2026-11-30T18:00:00Z, ph, false, us, 2026-11-30T21:00:00Z
      2026-11-30T19:00:00Z, ph, false, us, 2026-11-30T21:00:00Z
      2026-11-30T20:00:00Z, ph, false, us, 2026-11-30T21:00:00Z
      2026-11-30T21:00:00Z, us, false, eu, 2026-12-01T05:00:00Z
      2026-11-30T22:00:00Z, us, false, eu, 2026-12-01T05:00:00Z
      2026-11-30T23:00:00Z, us, false, eu, 2026-12-01T05:00:00Z
      2026-12-05T00:00:00Z, us, false, eu, 2026-12-05T05:00:00Z
      2026-12-05T01:00:00Z, us, false, eu, 2026-12-05T05:00:00Z
      2026-12-05T02:00:00Z, us, false, eu, 2026-12-05T05:00:00Z
      2026-12-05T03:00:00Z, us, false, eu, 2026-12-05T05:00:00Z
      2026-12-05T04:00:00Z, us, false, eu, 2026-12-05T05:00:00Z
      2026-12-05T05:00:00Z, eu, false, india, 2026-12-05T13:00:00Z
      2026-12-05T06:00:00Z, eu, false, india, 2026-12-05T13:00:00Z
      2026-12-05T07:00:00Z, eu, false, india, 2026-12-05T13:00:00Z
      2026-12-05T08:00:00Z, eu, false, india, 2026-12-05T13:00:00Z
      2026-12-05T09:00:00Z, eu, false, india, 2026-12-05T13:00:00Z
      2026-12-05T10:00:00Z, eu, false, india, 2026-12-05T13:00:00Z
      2026-12-05T11:00:00Z, eu, false, india, 2026-12-05T13:00:00Z
      2026-12-05T12:00:00Z, eu, false, india, 2026-12-05T13:00:00Z
      2026-12-05T13:00:00Z, india, false, us, 2026-12-05T17:00:00Z
      2026-12-05T14:00:00Z, india, false, us, 2026-12-05T17:00:00Z
      2026-12-05T15:00:00Z, india, false, us, 2026-12-05T17:00:00Z
      2026-12-05T16:00:00Z, india, false, us, 2026-12-05T17:00:00Z
      2026-12-05T17:00:00Z, us, true, eu, 2026-12-06T05:00:00Z
      2026-12-05T18:00:00Z, us, true, eu, 2026-12-06T05:00:00Z
      2026-12-05T19:00:00Z, us, true, eu, 2026-12-06T05:00:00Z
      2026-12-05T20:00:00Z, us, true, eu, 2026-12-06T05:00:00Z
      2026-12-05T21:00:00Z, us, false, eu, 2026-12-06T05:00:00Z
      2026-12-05T22:00:00Z, us, false, eu, 2026-12-06T05:00:00Z
      2026-12-05T23:00:00Z, us, false, eu, 2026-12-06T05:00:00Z
      2026-11-30T04:59:59.999Z, us, false, eu, 2026-11-30T05:00:00Z
      2026-11-30T05:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T08:59:59.999Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T09:00:00Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T12:59:59.999Z, eu, false, india, 2026-11-30T13:00:00Z
      2026-11-30T13:00:00Z, india, false, ph, 2026-11-30T17:00:00Z
      2026-11-30T16:59:59.999Z, india, false, ph, 2026-11-30T17:00:00Z
      2026-11-30T17:00:00Z, ph, false, us, 2026-11-30T21:00:00Z
      2026-11-30T20:59:59.999Z, ph, false, us, 2026-11-30T21:00:00Z
      2026-11-30T21:00:00Z, us, false, eu, 2026-12-01T05:00:00Z
      2026-11-30T23:59:59.999Z, us, false, eu, 2026-12-01T05:00:00Z
      2026-12-01T00:00:00Z, us, false, eu, 2026-12-01T05:00:00Z
      2026-11-29T02:00:00Z, us, false, eu, 2026-11-29T05:00:00Z
      2026-12-04T20:59:59.999Z, ph, false, us, 2026-12-04T21:00:00Z
      2026-12-05T16:59:59.999Z, india, false, us, 2026-12-05T17:00:00Z
      2026-12-05T17:00:00Z, us, true, eu, 2026-12-06T05:00:00Z
      2026-12-05T20:59:59.999Z, us, true, eu, 2026-12-06T05:00:00Z
      2026-12-05T21:00:00Z, us, false, eu, 2026-12-06T05:00:00Z
      """)
  void seedScheduleAtEveryHourAndEdge(
      String at, String active, boolean fallback, String nextTeam, String nextAt) {
    OnCall oc = resolver.at(Instant.parse(at), List.of());
    assertThat(oc.active()).containsExactly(new TeamId(active));
    assertThat(oc.fallback()).isEqualTo(fallback);
    assertThat(oc.next()).contains(new Handoff(new TeamId(nextTeam), Instant.parse(nextAt)));
  }

  @Test
  void overlapAllListsEveryCoveringTeamInOrder() {
    Resolver all = new Resolver(seed(Overlap.ALL), Clock.systemUTC());
    assertThat(all.at(Instant.parse("2026-11-30T10:00:00Z"), List.of()).active())
        .containsExactly(new TeamId("eu"), new TeamId("india"));
    OnCall at14 = all.at(Instant.parse("2026-11-30T14:00:00Z"), List.of());
    assertThat(at14.active()).containsExactly(new TeamId("india"), new TeamId("ph"));
    // india leaving at 17:00 hands to nobody new; us arriving at 21:00 does
    assertThat(at14.next())
        .contains(new Handoff(new TeamId("us"), Instant.parse("2026-11-30T21:00:00Z")));
  }

  @Test
  void overrideBeatsTheScheduleUntilItExpires() {
    ScheduleOverride o =
        new ScheduleOverride(
            1,
            new TeamId("india"),
            Instant.parse("2026-11-30T02:00:00Z"),
            Instant.parse("2026-11-30T04:00:00Z"),
            "api:lead",
            "us offsite",
            Instant.parse("2026-11-30T01:00:00Z"));
    OnCall before = resolver.at(Instant.parse("2026-11-30T01:00:00Z"), List.of(o));
    assertThat(before.active()).containsExactly(new TeamId("us"));
    assertThat(before.next())
        .contains(new Handoff(new TeamId("india"), Instant.parse("2026-11-30T02:00:00Z")));
    OnCall during = resolver.at(Instant.parse("2026-11-30T03:59:59.999Z"), List.of(o));
    assertThat(during.active()).containsExactly(new TeamId("india"));
    assertThat(during.override()).contains(o);
    assertThat(during.next())
        .contains(new Handoff(new TeamId("us"), Instant.parse("2026-11-30T04:00:00Z")));
    assertThat(resolver.at(Instant.parse("2026-11-30T04:00:00Z"), List.of(o)).active())
        .containsExactly(new TeamId("us"));
  }

  @Test
  void newestOverrideWins() {
    Instant t = Instant.parse("2026-11-30T10:00:00Z");
    ScheduleOverride older =
        new ScheduleOverride(
            1,
            new TeamId("ph"),
            t.minusSeconds(3600),
            t.plusSeconds(3600),
            "a",
            "",
            t.minusSeconds(7200));
    ScheduleOverride newer =
        new ScheduleOverride(
            2,
            new TeamId("us"),
            t.minusSeconds(60),
            t.plusSeconds(60),
            "b",
            "",
            t.minusSeconds(60));
    assertThat(resolver.at(t, List.of(older, newer)).active()).containsExactly(new TeamId("us"));
    assertThat(resolver.at(t, List.of(newer, older)).active()).containsExactly(new TeamId("us"));
  }

  @Test
  void nowReadsTheInjectedClock() {
    assertThat(resolver.now(List.of()).at()).isEqualTo(Instant.parse("2026-11-29T00:00:00Z"));
    assertThat(resolver.now(List.of()).active()).containsExactly(new TeamId("us"));
  }
}
