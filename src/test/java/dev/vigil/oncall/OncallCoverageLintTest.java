package dev.vigil.oncall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Pos;
import dev.vigil.config.Problems;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OncallCoverageLintTest {
  static final Instant MONDAY = Instant.parse("2026-11-30T00:00:00Z");

  static Team team(String id, Window... w) {
    return new Team(new TeamId(id), id, "", ZoneOffset.UTC, List.of(w), Channels.NONE);
  }

  @Test
  void findsAPlantedOneMinuteGap() {
    Schedule s =
        new Schedule(
            List.of(
                team("a", Window.utc("00:00", "12:00")), team("b", Window.utc("12:00", "23:59"))),
            Overlap.FIRST,
            Optional.of(new TeamId("a")));
    List<CoverageLint.Span> spans = CoverageLint.spans(s, MONDAY, CoverageLint.HORIZON);
    assertThat(spans)
        .hasSize(56)
        .allSatisfy(
            sp -> {
              assertThat(sp.isGap()).isTrue();
              assertThat(Duration.between(sp.start(), sp.end())).isEqualTo(Duration.ofMinutes(1));
            });
    assertThat(spans.get(0).start()).isEqualTo(Instant.parse("2026-11-30T23:59:00Z"));
    assertThat(CoverageLint.findings(s, MONDAY, CoverageLint.HORIZON))
        .extracting(CoverageLint.Finding::message)
        .containsExactly(
            "coverage: no team covers 23:59–00:00 UTC, 56 times, first 2026-11-30T23:59:00Z to 2026-12-01T00:00:00Z;"
                + " fallbackTeam a would be paged");
  }

  @Test
  void findsTheSeedScheduleOverlapsAndItsWeekendHole() {
    List<String> messages =
        CoverageLint.findings(OncallSeedScheduleTest.SEED, MONDAY, CoverageLint.HORIZON).stream()
            .map(CoverageLint.Finding::message)
            .toList();
    assertThat(messages)
        .containsExactlyInAnyOrder(
            "coverage: teams eu, india overlap 09:00–13:00 UTC, 56 times, first 2026-11-30T09:00:00Z to 2026-11-30T13:00:00Z;"
                + " overlap: first pages eu",
            "coverage: teams india, ph overlap 13:00–17:00 UTC, 40 times, first 2026-11-30T13:00:00Z to 2026-11-30T17:00:00Z;"
                + " overlap: first pages india",
            "coverage: no team covers 17:00–21:00 UTC, 16 times, first 2026-12-05T17:00:00Z to 2026-12-05T21:00:00Z;"
                + " fallbackTeam us would be paged");
  }

  @Test
  void fullCoverageIsQuiet() {
    Schedule s =
        new Schedule(
            List.of(
                team("us", Window.utc("21:00", "05:00")),
                team("eu", Window.utc("05:00", "13:00")),
                team("apac", Window.utc("13:00", "21:00"))),
            Overlap.FIRST,
            Optional.empty());
    Problems problems = new Problems();
    CoverageLint.report(s, MONDAY, Pos.of("teams.yaml"), problems);
    assertThat(problems.sorted()).isEmpty();
  }

  @Test
  void reportsWarningsNotErrors() {
    Schedule s =
        new Schedule(
            List.of(team("a", Window.utc("00:00", "23:59"))), Overlap.FIRST, Optional.empty());
    Problems problems = new Problems();
    CoverageLint.report(s, MONDAY, new Pos("teams.yaml", 1, 1), problems);
    assertThat(problems.hasErrors()).isFalse();
    assertThat(problems.sorted())
        .extracting(Object::toString)
        .containsExactly(
            "teams.yaml:1:1: warning: coverage: no team covers 23:59–00:00 UTC, 56 times,"
                + " first 2026-11-30T23:59:00Z to 2026-12-01T00:00:00Z; nobody would be paged (no fallbackTeam)");
  }

  @Test
  void walksTheNextDaylightSavingChangeEvenInWinter() {
    // eu works 06:00–22:00 Berlin time: 05:00–21:00 UTC in winter, a perfect fit with us
    // 21:00–05:00 UTC.
    // From 2027-03-28 (CEST) it is 04:00–20:00 UTC: an hour of overlap and an hour of hole each
    // day.
    // Walked: 2027-03-26..29 and 2027-10-29..11-01 (the next two changes): two summer days in each.
    Window euLocal =
        new Window(
            LocalTime.of(6, 0),
            LocalTime.of(22, 0),
            Set.of(),
            ZoneId.of("Europe/Berlin"),
            Pos.of("teams.yaml"));
    Schedule s =
        new Schedule(
            List.of(team("us", Window.utc("21:00", "05:00")), team("eu", euLocal)),
            Overlap.FIRST,
            Optional.of(new TeamId("us")));
    assertThat(CoverageLint.spans(s, MONDAY, CoverageLint.HORIZON))
        .as("eight winter weeks are clean")
        .isEmpty();
    assertThat(CoverageLint.findings(s, MONDAY, CoverageLint.HORIZON))
        .extracting(CoverageLint.Finding::message)
        .containsExactly(
            "coverage: teams us, eu overlap 04:00–05:00 UTC, 4 times, first 2027-03-28T04:00:00Z to 2027-03-28T05:00:00Z;"
                + " overlap: first pages us",
            "coverage: no team covers 20:00–21:00 UTC, 4 times, first 2027-03-28T20:00:00Z to 2027-03-28T21:00:00Z;"
                + " fallbackTeam us would be paged");
  }
}
