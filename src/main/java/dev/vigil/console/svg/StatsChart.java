package dev.vigil.console.svg;

import dev.vigil.incident.Severity;
import dev.vigil.stats.Stats;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Incident statistics per team and severity as a horizontal bar chart in three panels: mean time to
 * acknowledge, mean time to resolve and the auto-resolution rate. Each row is one group (a team and
 * severity, either of which may be "all"); each bar carries its value in text, and a group with
 * nothing to measure says "no data" instead of drawing an empty bar.
 *
 * <p>Markup: {@code <svg class="stats">}; a {@code <g class="panel" data-metric="mtta|mttr|auto">}
 * per panel with its axis title ({@code <text class="axis-title">}) and tick labels ({@code <text
 * class="tick">}); a {@code <g class="bar" data-metric=... data-team=... data-severity=...
 * data-value=...>} per group and panel (value in seconds, or a rate from 0 to 1; empty with no
 * data) holding a {@code <title>}, a {@code <rect>} and a {@code <text class="value">}. Every value
 * is XML-escaped.
 */
public final class StatsChart {
  static final double LABEL_WIDTH = 160;
  static final double PANEL = 210;
  static final double PANEL_GAP = 56;
  static final double HEADER = 34;
  static final double ROW = 22;
  private static final double FOOTER = 34;

  /**
   * One row of the chart.
   *
   * @param team a team id, or null for every team
   * @param severity null for every severity
   */
  public record Group(String team, Severity severity, Stats stats) {
    String label() {
      return (team == null ? "all teams" : team)
          + " · "
          + (severity == null ? "all severities" : severity.wire());
    }
  }

  private record Metric(
      String id,
      String title,
      boolean rate,
      Function<Stats, Double> value,
      Function<Stats, String> basis) {}

  private static final List<Metric> METRICS =
      List.of(
          new Metric(
              "mtta",
              "MTTA (mean time to acknowledge)",
              false,
              s -> Stats.Summary.seconds(s.mtta().mean()),
              s -> "over " + s.mtta().count() + " acknowledged"),
          new Metric(
              "mttr",
              "MTTR (mean time to resolve)",
              false,
              s -> Stats.Summary.seconds(s.mttr().mean()),
              s -> "over " + s.mttr().count() + " resolved"),
          new Metric(
              "auto",
              "Auto-resolved by a runbook",
              true,
              Stats::autoResolutionRate,
              s -> s.autoResolved() + " of " + s.incidents() + " incidents"));

  private StatsChart() {}

  /** The chart of {@code groups}, in the order given, labelled {@code title}. */
  public static String render(String title, List<Group> groups) {
    double width = LABEL_WIDTH + 3 * PANEL + 2 * PANEL_GAP + 70;
    double plotBottom = HEADER + ROW * Math.max(1, groups.size());
    double height = plotBottom + FOOTER;
    Svg svg = new Svg("stats", width, height, title);
    svg.open("g").attr("class", "groups").attr("font-size", 11);
    svg.label(LABEL_WIDTH - 8, HEADER - 10, "axis-title", "end", "team · severity");
    for (int i = 0; i < groups.size(); i++) {
      svg.label(
          LABEL_WIDTH - 8,
          HEADER + i * ROW + ROW / 2 + 4,
          "group",
          "end",
          Svg.fit(groups.get(i).label(), 26));
    }
    if (groups.isEmpty()) {
      svg.label(LABEL_WIDTH - 8, HEADER + ROW / 2 + 4, "group", "end", "no incidents");
    }
    svg.close();
    for (int m = 0; m < METRICS.size(); m++) {
      panel(svg, METRICS.get(m), groups, LABEL_WIDTH + m * (PANEL + PANEL_GAP), plotBottom);
    }
    return svg.finish();
  }

  private static void panel(Svg svg, Metric m, List<Group> groups, double x0, double bottom) {
    double max = m.rate() ? 1 : 0;
    for (Group g : groups) {
      Double v = m.value().apply(g.stats());
      if (v != null) {
        max = Math.max(max, v);
      }
    }
    max = m.rate() ? 1 : nice(max);
    svg.open("g").attr("class", "panel").attr("data-metric", m.id());
    svg.open("text")
        .attr("x", x0)
        .attr("y", HEADER - 10)
        .attr("class", "axis-title")
        .attr("font-weight", "bold")
        .text(m.title())
        .close();
    for (int t = 0; t <= 2; t++) {
      double tx = x0 + PANEL * t / 2;
      svg.line(tx, HEADER - 4, tx, bottom, "grid", t == 0 ? "#333" : "#dee2e6").close();
      double tv = max * t / 2;
      svg.open("text")
          .attr("x", tx)
          .attr("y", bottom + 13)
          .attr("class", "tick")
          .attr("text-anchor", t == 0 ? "start" : "middle")
          .attr("font-size", 10)
          .text(format(m, tv))
          .close();
    }
    svg.line(x0, bottom, x0 + PANEL, bottom, "axis", "#333").close();
    svg.open("text")
        .attr("x", x0 + PANEL / 2)
        .attr("y", bottom + 27)
        .attr("class", "axis-title")
        .attr("text-anchor", "middle")
        .attr("font-size", 10)
        .text(m.rate() ? "share of incidents" : "mean duration")
        .close();
    for (int i = 0; i < groups.size(); i++) {
      Group g = groups.get(i);
      Double v = m.value().apply(g.stats());
      double y = HEADER + i * ROW;
      String text = v == null ? "no data" : format(m, v);
      svg.open("g")
          .attr("class", "bar")
          .attr("data-metric", m.id())
          .attr("data-team", g.team() == null ? "" : g.team())
          .attr("data-severity", g.severity() == null ? "" : g.severity().wire())
          .attr("data-value", v == null ? "" : String.format(Locale.ROOT, "%.3f", v))
          .title(g.label() + ": " + m.title() + " " + text + ", " + m.basis().apply(g.stats()));
      double w = v == null || max == 0 ? 0 : PANEL * v / max;
      svg.rect(x0, y + 4, w, ROW - 8, "bar", m.rate() ? "#20c997" : "#4dabf7").close();
      svg.open("text")
          .attr("x", x0 + w + 4)
          .attr("y", y + ROW / 2 + 4)
          .attr("class", "value")
          .attr("font-size", 11)
          .attr("fill", v == null ? "#6c757d" : "#212529")
          .text(text)
          .close();
      svg.close();
    }
    svg.close();
  }

  private static String format(Metric m, double v) {
    if (m.rate()) {
      return Math.round(v * 100) + "%";
    }
    if (v == 0) {
      return "0";
    }
    return Svg.duration(Duration.ofMillis(Math.round(v * 1000)));
  }

  /**
   * A round upper bound for a duration axis in seconds: 1, 2 or 5 times a power of ten below a
   * minute; whole minutes or hours (1, 2, 5, 10, 15, 30, 60...) above.
   */
  static double nice(double seconds) {
    if (seconds <= 0) {
      return 60;
    }
    double[] steps = {
      1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 4 * 3600, 8 * 3600, 12 * 3600,
      86400
    };
    for (double s : steps) {
      if (seconds <= s) {
        return s;
      }
    }
    return Math.ceil(seconds / 86400) * 86400;
  }
}
