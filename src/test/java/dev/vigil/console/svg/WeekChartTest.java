package dev.vigil.console.svg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.config.Interpolator;
import dev.vigil.config.Problems;
import dev.vigil.config.Yaml;
import dev.vigil.escalation.TeamsReader;
import dev.vigil.oncall.Channels;
import dev.vigil.oncall.Overlap;
import dev.vigil.oncall.Schedule;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import dev.vigil.oncall.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class WeekChartTest {
  static final Instant MONDAY = Instant.parse("2026-11-30T00:00:00Z");
  static final double X0 = WeekChart.LABEL_WIDTH;
  static final double H = WeekChart.HOUR;

  /** Daily hole 22:00–23:00 UTC; apac wraps past midnight. */
  static final String TEAMS_WITH_A_GAP =
      """
      teams:
        - id: eu
          name: Europe
          coverage: [{ from: "06:00", to: "14:00" }]
          slack: { channel: "#ops-eu" }
        - id: us
          coverage: [{ from: "14:00", to: "22:00" }]
          slack: { channel: "#ops-us" }
        - id: apac
          coverage: [{ from: "23:00", to: "06:00" }]
          slack: { channel: "#ops-apac" }
      overlap: first
      fallbackTeam: us
      """;

  static Schedule teamsYaml(String yaml) {
    Problems problems = new Problems();
    var file =
        TeamsReader.parse(
            Yaml.parse(
                    yaml.getBytes(StandardCharsets.UTF_8),
                    "teams.yaml",
                    problems,
                    Interpolator.of(Map.of(), Path.of(".")))
                .orElseThrow());
    assertThat(problems.sorted()).isEmpty();
    return file.schedule();
  }

  static Team team(String id, String name, Window... w) {
    return new Team(new TeamId(id), name, "", ZoneOffset.UTC, List.of(w), Channels.NONE);
  }

  static SvgDoc chart(Schedule s, ZoneId zone) {
    return new SvgDoc(WeekChart.render(s, List.of(), MONDAY, zone, null));
  }

  static List<Element> rects(Element g, String cls) {
    List<Element> out = new ArrayList<>();
    var nl = g.getElementsByTagName("rect");
    for (int i = 0; i < nl.getLength(); i++) {
      Element e = (Element) nl.item(i);
      if (e.getAttribute("class").equals(cls)) {
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void aTeamsYamlWithAGapShowsTheGapAsAMarkedBandOnEachDay() {
    SvgDoc svg = chart(teamsYaml(TEAMS_WITH_A_GAP), ZoneOffset.UTC);
    List<Element> gaps = svg.all("//g[@class='gap']");
    assertThat(gaps).hasSize(7);
    assertThat(gaps.stream().map(SvgDoc::title))
        .contains("gap Mon 22:00–23:00 UTC", "gap Tue 22:00–23:00 UTC", "gap Sun 22:00–23:00 UTC");
    Element tuesday = svg.one("//g[@class='gap'][title='gap Tue 22:00–23:00 UTC']");
    assertThat(tuesday.getAttribute("data-from")).isEqualTo("2026-12-01T22:00:00Z");
    Element band = rects(tuesday, "band").get(0);
    assertThat(SvgDoc.num(band, "x")).isCloseTo(X0 + (24 + 22) * H, within(0.01));
    assertThat(SvgDoc.num(band, "width")).isCloseTo(H, within(0.01));
    assertThat(svg.all("//g[@class='overlap']")).isEmpty();
    assertThat(svg.all("//g[@class='findings']/text").stream().map(Element::getTextContent))
        .contains("gap Tue 22:00–23:00 UTC");
    assertThat(
            svg.all("//g[@class='team']/text[@class='name']").stream().map(Element::getTextContent))
        .containsExactly("Europe", "us", "apac");
    assertThat(svg.root().getAttribute("aria-label")).endsWith(": 7 gaps, 0 overlaps");
  }

  @Test
  void aWindowThatWrapsPastMidnightIsOneBarAndTheWeekCutsItsEnds() {
    SvgDoc svg = chart(teamsYaml(TEAMS_WITH_A_GAP), ZoneOffset.UTC);
    Element apac = svg.one("//g[@class='team'][@data-team='apac']");
    List<Element> shifts = rects(apac, "shift");
    assertThat(shifts).as("Sunday's shift into Monday, then one starting each day").hasSize(8);
    assertThat(SvgDoc.num(shifts.get(0), "x")).isCloseTo(X0, within(0.01));
    assertThat(SvgDoc.num(shifts.get(0), "width")).isCloseTo(6 * H, within(0.01));
    assertThat(SvgDoc.num(shifts.get(1), "x")).isCloseTo(X0 + 23 * H, within(0.01));
    assertThat(SvgDoc.num(shifts.get(1), "width")).isCloseTo(7 * H, within(0.01));
    assertThat(SvgDoc.title(shifts.get(1)))
        .isEqualTo("apac on call Mon 23:00–Tue 06:00 UTC (window 23:00–06:00 UTC)");
    assertThat(SvgDoc.num(shifts.get(7), "width"))
        .as("cut at the week's end")
        .isCloseTo(H, within(0.01));
  }

  @Test
  void overlapsAreMarkedOnTheRowsOfTheTeamsThatOverlap() {
    Schedule s =
        new Schedule(
            List.of(
                team("a", "a", Window.utc("00:00", "13:00")),
                team("b", "b", Window.utc("09:00", "00:00")),
                team("c", "c", Window.utc("20:00", "21:00"))),
            Overlap.FIRST,
            Optional.empty());
    SvgDoc svg = chart(s, ZoneOffset.UTC);
    List<Element> ab = svg.all("//g[@class='overlap'][@data-teams='a b']");
    List<Element> bc = svg.all("//g[@class='overlap'][@data-teams='b c']");
    assertThat(ab).hasSize(7);
    assertThat(bc).hasSize(7);
    assertThat(SvgDoc.title(ab.get(0))).isEqualTo("overlap a, b Mon 09:00–13:00 UTC");
    assertThat(rects(bc.get(0), "band")).hasSize(2);
    double rowB = WeekChart.AXIS + WeekChart.ROW;
    assertThat(rects(bc.get(0), "band").stream().map(r -> SvgDoc.num(r, "y") > rowB - 1))
        .containsOnly(true);
    assertThat(svg.all("//g[@class='gap']")).isEmpty();
  }

  @Test
  void anAxisInAnotherZoneShiftsTheLabelsButNotTheBars() {
    Schedule s = teamsYaml(TEAMS_WITH_A_GAP);
    SvgDoc utc = chart(s, ZoneOffset.UTC);
    SvgDoc india = chart(s, ZoneId.of("Asia/Kolkata"));
    SvgDoc ny = chart(s, ZoneOffset.ofHours(-5));
    String tuesday = "//line[@class='midnight'][@data-day='2026-12-01']";
    assertThat(SvgDoc.num(utc.one(tuesday), "x1")).isCloseTo(X0 + 24 * H, within(0.01));
    assertThat(SvgDoc.num(india.one(tuesday), "x1")).isCloseTo(X0 + 18.5 * H, within(0.01));
    assertThat(SvgDoc.num(ny.one(tuesday), "x1")).isCloseTo(X0 + 29 * H, within(0.01));
    assertThat(india.one("//text[@class='day'][@data-day='2026-12-01']").getTextContent())
        .isEqualTo("Tue 1 Dec");
    assertThat(india.all("//g[@class='gap']").stream().map(SvgDoc::title))
        .contains("gap Tue 03:30–04:30 Asia/Kolkata");
    assertThat(ny.all("//g[@class='gap']").stream().map(SvgDoc::title))
        .contains("gap Mon 17:00–18:00 UTC-05:00");
    assertThat(india.one("//text[@class='zone']").getTextContent())
        .isEqualTo("Times in Asia/Kolkata");
    // the same instants are drawn at the same places whatever the axis
    assertThat(india.all("//rect[@class='shift']").stream().map(r -> r.getAttribute("x")))
        .isEqualTo(
            utc.all("//rect[@class='shift']").stream().map(r -> r.getAttribute("x")).toList());
  }

  @Test
  void overridesAndNowAreDrawnAndEveryNameIsEscaped() {
    String evil = "<script>alert(1)</script>";
    Schedule s =
        new Schedule(
            List.of(team("eu", evil, Window.utc("00:00", "00:00"))),
            Overlap.FIRST,
            Optional.empty());
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    List<ScheduleOverride> overrides =
        List.of(
            new ScheduleOverride(5, new TeamId("eu"), t, t.plusSeconds(7200), "lead", evil, t),
            new ScheduleOverride(6, new TeamId("ghost"), t, t.plusSeconds(7200), "x", "", t),
            new ScheduleOverride(
                7, new TeamId("eu"), MONDAY.minusSeconds(7200), MONDAY, "x", "", t));
    String text = WeekChart.render(s, overrides, MONDAY, ZoneOffset.UTC, t.plusSeconds(1800));
    SvgDoc svg = new SvgDoc(text);
    assertThat(text).doesNotContain("<script");
    assertThat(svg.doc.getElementsByTagName("script").getLength()).isZero();
    assertThat(svg.one("//text[@class='name']").getTextContent()).startsWith("<script>");
    Element o = svg.one("//g[@class='override']");
    assertThat(o.getAttribute("data-override")).isEqualTo("5");
    assertThat(SvgDoc.title(o))
        .isEqualTo("override 5: eu on call Tue 10:00–12:00 UTC, by lead: " + evil);
    Element now = svg.one("//g[@class='now']/line");
    assertThat(SvgDoc.num(now, "x1")).isCloseTo(X0 + 34.5 * H, within(0.01));
    assertThat(SvgDoc.title(svg.one("//g[@class='now']"))).isEqualTo("now Tue 10:30 UTC");
    assertThat(svg.all("//g[@class='findings']/text").stream().map(Element::getTextContent))
        .containsExactly("No gaps or overlaps this week.");
    assertThat(WeekChart.render(s, overrides, MONDAY, ZoneOffset.UTC, MONDAY.minusSeconds(1)))
        .as("no now line outside the week")
        .doesNotContain("class=\"now\"");
    assertThat(text.length()).as("small").isLessThan(8000);
  }
}
