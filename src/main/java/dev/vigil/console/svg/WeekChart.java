package dev.vigil.console.svg;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vigil.oncall.CoverageLint;
import dev.vigil.oncall.Schedule;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Shift;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import dev.vigil.oncall.Window;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Follow-the-sun coverage over one week as SVG: a row per team, labelled with its name, with a bar
 * for each shift of its coverage windows (a window that wraps past midnight is one bar) and a bar
 * for each override; bands over the rows where no team covers (gaps) or several do (overlaps), as
 * the coverage lint finds them ({@link CoverageLint#spans}); a line at "now". The axis is labelled
 * by day and hour in the zone the viewer chose; the drawing itself is the same instants either way.
 *
 * <p>Markup: {@code <svg class="week">}; a {@code <g class="team" data-team="ID">} per row with
 * {@code <rect class="shift">} and {@code <g class="override" data-override="N">}; a {@code <g
 * class="gap">} or {@code <g class="overlap" data-teams="a b">} per finding, each with a {@code
 * <title>} like {@code gap Tue 22:00–23:00 UTC} (also listed as text under the chart, in {@code <g
 * class="findings">}); day and hour labels ({@code <text class="day" data-day="2026-12-01">},
 * {@code <line class="midnight" data-day=...>}); {@code <line class="now">}. Every value is
 * XML-escaped.
 */
public final class WeekChart {
  static final double LABEL_WIDTH = 130;
  static final double HOUR = 5;
  static final double AXIS = 38;
  static final double ROW = 26;
  private static final double LINE = 15;
  private static final int MAX_LISTED = 14;
  private static final Duration WEEK = Duration.ofDays(7);
  private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("EEE d MMM", Locale.ENGLISH);

  /**
   * The lint walks every minute of the week; a page shows the same week of the same schedule again
   * and again, so the spans are kept for the last few (schedule, week start) pairs.
   */
  private static final Cache<List<Object>, List<CoverageLint.Span>> SPANS =
      Caffeine.newBuilder().maximumSize(32).build();

  private final Instant start;
  private final Instant end;
  private final ZoneId zone;

  private WeekChart(Instant start, ZoneId zone) {
    this.start = start;
    this.end = start.plus(WEEK);
    this.zone = zone;
  }

  /**
   * The week from {@code weekStart} (seven days of 24 hours) of {@code schedule} and {@code
   * overrides}, its axis in {@code axisZone}; {@code now} (nullable) draws a line when it falls in
   * the week. Overrides for teams not in the schedule are left out. Gaps and overlaps come from the
   * schedule's windows alone, as {@code vigil validate} lints them: where no window covers, the
   * fallback team would be paged, and an override does not change that finding.
   */
  public static String render(
      Schedule schedule,
      List<ScheduleOverride> overrides,
      Instant weekStart,
      ZoneId axisZone,
      Instant now) {
    return new WeekChart(weekStart, axisZone).draw(schedule, overrides, now);
  }

  private String draw(Schedule schedule, List<ScheduleOverride> overrides, Instant now) {
    List<Team> teams = schedule.teams();
    List<CoverageLint.Span> spans =
        SPANS.get(List.of(schedule, start), k -> CoverageLint.spans(schedule, start, WEEK));
    double rowsBottom = AXIS + ROW * teams.size();
    int listed = Math.min(spans.size(), MAX_LISTED) + (spans.size() > MAX_LISTED ? 1 : 0);
    double width = LABEL_WIDTH + 7 * 24 * HOUR + 8;
    double height = rowsBottom + 14 + LINE * (1 + Math.max(1, listed)) + 4;
    long gaps = spans.stream().filter(CoverageLint.Span::isGap).count();
    String label =
        "On-call coverage of "
            + teams.size()
            + (teams.size() == 1 ? " team" : " teams")
            + ", week from "
            + day(start)
            + " "
            + time(start)
            + " "
            + zoneName()
            + ": "
            + gaps
            + (gaps == 1 ? " gap, " : " gaps, ")
            + (spans.size() - gaps)
            + (spans.size() - gaps == 1 ? " overlap" : " overlaps");
    Svg svg = new Svg("week", width, height, label);
    axis(svg, rowsBottom);
    for (int i = 0; i < teams.size(); i++) {
      row(svg, teams.get(i), AXIS + i * ROW, overrides);
    }
    for (CoverageLint.Span s : spans) {
      finding(svg, s, teams, rowsBottom);
    }
    if (now != null && !now.isBefore(start) && now.isBefore(end)) {
      double x = x(now);
      svg.open("g")
          .attr("class", "now")
          .title("now " + day(now) + " " + time(now) + " " + zoneName());
      svg.line(x, AXIS - 2, x, rowsBottom + 2, "now", "#d63384").attr("stroke-width", 2).close();
      svg.open("text")
          .attr("x", x)
          .attr("y", rowsBottom + 11)
          .attr("text-anchor", "middle")
          .attr("fill", "#d63384")
          .attr("font-size", 10)
          .text("now")
          .close();
      svg.close();
    }
    list(svg, spans, rowsBottom + 14 + LINE);
    return svg.finish();
  }

  /** Day labels and midnight lines, hour ticks every six hours, in the axis zone. */
  private void axis(Svg svg, double rowsBottom) {
    svg.open("g").attr("class", "axis").attr("font-size", 10).attr("fill", "#333");
    svg.label(4, 13, "zone", "start", "Times in " + zoneName());
    LocalDate first = LocalDate.ofInstant(start, zone);
    LocalDate last = LocalDate.ofInstant(end, zone);
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      Instant dayStart = d.atStartOfDay(zone).toInstant();
      Instant dayEnd = d.plusDays(1).atStartOfDay(zone).toInstant();
      Instant a = dayStart.isBefore(start) ? start : dayStart;
      Instant b = dayEnd.isAfter(end) ? end : dayEnd;
      if (!b.isAfter(a)) {
        continue;
      }
      if (!dayStart.isBefore(start)) {
        svg.line(x(dayStart), AXIS - 24, x(dayStart), rowsBottom, "midnight", "#adb5bd")
            .attr("data-day", d.toString())
            .close();
      }
      if (x(b) - x(a) >= 44) {
        svg.open("text")
            .attr("x", (x(a) + x(b)) / 2)
            .attr("y", 13)
            .attr("class", "day")
            .attr("data-day", d.toString())
            .attr("text-anchor", "middle")
            .attr("font-weight", "bold")
            .text(DAY.format(d))
            .close();
      }
      for (int h = 6; h < 24; h += 6) {
        Instant t = ZonedDateTime.of(d, LocalTime.of(h, 0), zone).toInstant();
        if (!t.isBefore(start) && t.isBefore(end)) {
          svg.line(x(t), AXIS - 12, x(t), rowsBottom, "hour", "#e9ecef").close();
          svg.label(x(t), AXIS - 14, "hour", "middle", String.format(Locale.ROOT, "%02d", h));
        }
      }
    }
    svg.close();
  }

  private void row(Svg svg, Team team, double y, List<ScheduleOverride> overrides) {
    String name = team.name() == null || team.name().isBlank() ? team.id().value() : team.name();
    svg.open("g")
        .attr("class", "team")
        .attr("data-team", team.id().value())
        .title(
            "team "
                + (name.equals(team.id().value()) ? name : name + " (" + team.id() + ")")
                + ": "
                + team.coverage().stream().map(Window::describe).collect(Collectors.joining("; ")));
    svg.rect(LABEL_WIDTH, y + 2, 7 * 24 * HOUR, ROW - 4, "lane", "#f8f9fa").close();
    svg.label(LABEL_WIDTH - 6, y + ROW / 2 + 4, "name", "end", Svg.fit(name, 20));
    for (Window w : team.coverage()) {
      for (Shift s : w.shiftsStartingBetween(team.id(), start.minus(Duration.ofDays(2)), end)) {
        Instant a = s.start().isBefore(start) ? start : s.start();
        Instant b = s.end().isAfter(end) ? end : s.end();
        if (!b.isAfter(a)) {
          continue;
        }
        svg.rect(x(a), y + 4, x(b) - x(a), ROW - 8, "shift", "#6ea8fe")
            .attr("data-team", team.id().value())
            .title(
                team.id()
                    + " on call "
                    + range(s.start(), s.end())
                    + " (window "
                    + w.describe()
                    + ")")
            .close();
      }
    }
    for (ScheduleOverride o : overrides) {
      if (!o.team().equals(team.id()) || !o.until().isAfter(start) || !o.from().isBefore(end)) {
        continue;
      }
      Instant a = o.from().isBefore(start) ? start : o.from();
      Instant b = o.until().isAfter(end) ? end : o.until();
      svg.open("g")
          .attr("class", "override")
          .attr("data-override", o.id())
          .attr("data-team", team.id().value())
          .title(
              "override "
                  + o.id()
                  + ": "
                  + team.id()
                  + " on call "
                  + range(o.from(), o.until())
                  + (o.by() == null || o.by().isBlank() ? "" : ", by " + o.by())
                  + (o.reason() == null || o.reason().isBlank() ? "" : ": " + o.reason()));
      svg.rect(x(a), y + ROW / 2, x(b) - x(a), ROW / 2 - 3, "override", "#6f42c1")
          .attr("stroke", "#3d0a91")
          .close();
      svg.close();
    }
    svg.close();
  }

  private void finding(Svg svg, CoverageLint.Span s, List<Team> teams, double rowsBottom) {
    double xa = x(s.start());
    double w = Math.max(1, x(s.end()) - xa);
    if (s.isGap()) {
      svg.open("g")
          .attr("class", "gap")
          .attr("data-from", s.start().toString())
          .attr("data-to", s.end().toString())
          .title(describe(s));
      svg.rect(xa, AXIS, w, rowsBottom - AXIS, "band", "#dc3545")
          .attr("fill-opacity", 0.25)
          .attr("stroke", "#dc3545")
          .attr("stroke-dasharray", "3 2")
          .close();
      if (w >= 22) {
        svg.open("text")
            .attr("x", xa + w / 2)
            .attr("y", AXIS + 12)
            .attr("text-anchor", "middle")
            .attr("font-size", 10)
            .attr("fill", "#842029")
            .text("gap")
            .close();
      }
      svg.close();
      return;
    }
    svg.open("g")
        .attr("class", "overlap")
        .attr("data-from", s.start().toString())
        .attr("data-to", s.end().toString())
        .attr("data-teams", s.teams().stream().map(TeamId::value).collect(Collectors.joining(" ")))
        .title(describe(s));
    for (int i = 0; i < teams.size(); i++) {
      if (s.teams().contains(teams.get(i).id())) {
        svg.rect(xa, AXIS + i * ROW + 1, w, ROW - 2, "band", "#fd7e14")
            .attr("fill-opacity", 0.3)
            .attr("stroke", "#b35c00")
            .close();
      }
    }
    svg.close();
  }

  /** The findings as text under the chart, so they read without colour. */
  private void list(Svg svg, List<CoverageLint.Span> spans, double y) {
    svg.open("g").attr("class", "findings").attr("font-size", 11);
    if (spans.isEmpty()) {
      svg.label(LABEL_WIDTH, y, "finding", "start", "No gaps or overlaps this week.");
    } else {
      svg.label(LABEL_WIDTH, y, "finding", "start", "Gaps and overlaps (coverage lint):");
      for (int i = 0; i < Math.min(spans.size(), MAX_LISTED); i++) {
        svg.label(LABEL_WIDTH + 10, y + LINE * (i + 1), "finding", "start", describe(spans.get(i)));
      }
      if (spans.size() > MAX_LISTED) {
        svg.label(
            LABEL_WIDTH + 10,
            y + LINE * (MAX_LISTED + 1),
            "finding",
            "start",
            "… and " + (spans.size() - MAX_LISTED) + " more");
      }
    }
    svg.close();
  }

  /** {@code gap Tue 22:00–23:00 UTC}, {@code overlap eu, india Mon 09:00–13:00 UTC}. */
  String describe(CoverageLint.Span s) {
    return (s.isGap()
            ? "gap "
            : "overlap "
                + s.teams().stream().map(TeamId::value).collect(Collectors.joining(", "))
                + " ")
        + range(s.start(), s.end());
  }

  /** {@code Tue 22:00–23:00 UTC}, {@code Tue 22:00–24:00 UTC}, {@code Tue 22:00–Wed 05:00 UTC}. */
  private String range(Instant a, Instant b) {
    ZonedDateTime za = a.atZone(zone);
    ZonedDateTime zb = b.atZone(zone);
    String to;
    if (zb.toLocalDate().equals(za.toLocalDate())) {
      to = HM.format(zb);
    } else if (zb.toLocalDate().equals(za.toLocalDate().plusDays(1))
        && zb.toLocalTime().equals(LocalTime.MIDNIGHT)) {
      to = "24:00";
    } else {
      to = day(b) + " " + HM.format(zb);
    }
    return day(a) + " " + HM.format(za) + "–" + to + " " + zoneName();
  }

  private String day(Instant t) {
    return t.atZone(zone).getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
  }

  private String time(Instant t) {
    return HM.format(t.atZone(zone));
  }

  /** {@code UTC}, {@code UTC+05:30}, {@code Europe/Berlin}. */
  String zoneName() {
    ZoneId z = zone.normalized();
    if (z.equals(ZoneOffset.UTC)) {
      return "UTC";
    }
    return z instanceof ZoneOffset ? "UTC" + z.getId() : z.getId();
  }

  private double x(Instant t) {
    return LABEL_WIDTH + Duration.between(start, t).toSeconds() / 3600.0 * HOUR;
  }
}
