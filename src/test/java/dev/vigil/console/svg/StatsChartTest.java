package dev.vigil.console.svg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.console.svg.StatsChart.Group;
import dev.vigil.incident.Severity;
import dev.vigil.stats.Stats;
import dev.vigil.stats.StatsInput;
import dev.vigil.stats.StatsInput.IncidentTimes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class StatsChartTest {
  static final Instant T = Instant.parse("2026-11-30T10:00:00Z");

  static IncidentTimes incident(long ackSeconds, long resolveSeconds, String by) {
    return new IncidentTimes(
        T,
        ackSeconds < 0 ? null : T.plusSeconds(ackSeconds),
        resolveSeconds < 0 ? null : T.plusSeconds(resolveSeconds),
        by,
        1);
  }

  static Stats stats(IncidentTimes... all) {
    return Stats.of(new StatsInput(List.of(all), Map.of(), Map.of()));
  }

  static Element bar(SvgDoc svg, String metric, String team) {
    return svg.one("//g[@class='bar'][@data-metric='" + metric + "'][@data-team='" + team + "']");
  }

  static double width(Element bar) {
    return SvgDoc.num((Element) bar.getElementsByTagName("rect").item(0), "width");
  }

  static String value(Element bar) {
    return bar.getElementsByTagName("text").item(0).getTextContent();
  }

  @Test
  void barsPerTeamAndSeverityWithTheirValuesInTextAndLabelledAxes() {
    Stats eu =
        stats(
            incident(60, 600, "api:x"),
            incident(180, 1200, "api:x"),
            incident(-1, 300, "runbook:disk"),
            incident(-1, -1, null));
    Stats us = stats(incident(240, 2400, "api:y"));
    String text =
        StatsChart.render(
            "Incidents since 2026-11-23",
            List.of(new Group("eu", Severity.CRITICAL, eu), new Group("us", null, us)));
    SvgDoc svg = new SvgDoc(text);
    assertThat(svg.all("//g[@class='panel']").stream().map(e -> e.getAttribute("data-metric")))
        .containsExactly("mtta", "mttr", "auto");
    assertThat(svg.all("//g[@class='bar']")).hasSize(6);
    assertThat(svg.all("//text[@class='group']").stream().map(Element::getTextContent))
        .containsExactly("eu · critical", "us · all severities");
    assertThat(svg.all("//text[@class='axis-title']").stream().map(Element::getTextContent))
        .contains("team · severity", "MTTA (mean time to acknowledge)", "mean duration");

    Element euMtta = bar(svg, "mtta", "eu");
    assertThat(euMtta.getAttribute("data-severity")).isEqualTo("critical");
    assertThat(euMtta.getAttribute("data-value")).isEqualTo("120.000");
    assertThat(value(euMtta)).isEqualTo("2m");
    assertThat(SvgDoc.title(euMtta))
        .isEqualTo("eu · critical: MTTA (mean time to acknowledge) 2m, over 2 acknowledged");
    Element usMtta = bar(svg, "mtta", "us");
    assertThat(value(usMtta)).isEqualTo("4m");
    assertThat(width(usMtta)).as("longer value, longer bar").isGreaterThan(width(euMtta));
    assertThat(width(usMtta) / width(euMtta)).isCloseTo(2.0, within(0.01));

    Element euAuto = bar(svg, "auto", "eu");
    assertThat(value(euAuto)).isEqualTo("25%");
    assertThat(width(euAuto)).isCloseTo(StatsChart.PANEL / 4, within(0.1));
    assertThat(SvgDoc.title(euAuto)).endsWith("1 of 4 incidents");
    assertThat(
            svg.all("//g[@data-metric='mttr']/text[@class='tick']").stream()
                .map(Element::getTextContent))
        .containsExactly("0", "30m", "1h");
  }

  @Test
  void aGroupWithNothingToMeasureSaysNoData() {
    SvgDoc svg =
        new SvgDoc(StatsChart.render("x", List.of(new Group(null, Severity.INFO, stats()))));
    Element mtta = bar(svg, "mtta", "");
    assertThat(value(mtta)).isEqualTo("no data");
    assertThat(mtta.getAttribute("data-value")).isEmpty();
    assertThat(width(mtta)).isZero();
    assertThat(value(bar(svg, "auto", ""))).isEqualTo("no data");
    assertThat(new SvgDoc(StatsChart.render("empty", List.of())).all("//g[@class='bar']"))
        .isEmpty();
  }

  @Test
  void hostileTeamNamesAndTitlesAreText() {
    String evil = "<script>alert(1)</script>";
    String text =
        StatsChart.render(evil, List.of(new Group(evil, null, stats(incident(5, 10, "x")))));
    SvgDoc svg = new SvgDoc(text);
    assertThat(text).doesNotContain("<script");
    assertThat(svg.doc.getElementsByTagName("script").getLength()).isZero();
    assertThat(svg.root().getAttribute("aria-label")).isEqualTo(evil);
    assertThat(bar(svg, "mtta", evil)).isNotNull();
  }

  @Test
  void durationAxesEndOnRoundValues() {
    assertThat(StatsChart.nice(0)).isEqualTo(60);
    assertThat(StatsChart.nice(45)).isEqualTo(60);
    assertThat(StatsChart.nice(61)).isEqualTo(120);
    assertThat(StatsChart.nice(3000)).isEqualTo(3600);
    assertThat(StatsChart.nice(3 * 86400 + 1)).isEqualTo(4 * 86400);
  }
}
