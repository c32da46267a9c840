package dev.vigil.console;

import dev.vigil.oncall.CoverageLint;
import dev.vigil.oncall.OnCall;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.stream.Collectors;

/** The on-call page: who is on call now and next, the week's coverage, the overrides. */
final class OncallView {
  /** How far the week chart and its findings look. */
  static final Duration WEEK = Duration.ofDays(7);

  private OncallView() {}

  /** The zone of {@code ?tz=}: UTC when absent or not a zone. */
  static ZoneId zone(String tz) {
    if (tz == null || tz.isBlank() || tz.length() > 64) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(tz);
    } catch (DateTimeException e) {
      return ZoneOffset.UTC;
    }
  }

  static Html.Safe render(
      Resolver resolver, List<ScheduleOverride> overrides, Instant now, ZoneId zone, String csrf) {
    OnCall oc = resolver.at(now, overrides);
    Html h = new Html();
    h.el("h1", "On call");
    h.open("p", "class", "zone");
    h.text("Times in ");
    h.el(
        "a",
        "UTC",
        "href",
        "/ui/oncall?tz=UTC",
        "aria-current",
        zone.equals(ZoneOffset.UTC) ? "true" : null);
    h.text(" · ");
    h.el(
        "a",
        "your local time",
        "href",
        "/ui/oncall",
        "id",
        "tz-local",
        "aria-current",
        zone.equals(ZoneOffset.UTC) ? null : "true");
    h.text(zone.equals(ZoneOffset.UTC) ? "" : " (" + zone.getId() + ")");
    h.close();

    h.open("dl", "class", "summary now");
    h.el("dt", "On call now");
    h.el(
        "dd",
        oc.active().isEmpty()
            ? "nobody (no window covers now and there is no fallback team)"
            : names(resolver, oc.active()) + (oc.fallback() ? " (fallback team)" : ""),
        "id",
        "oncall-now");
    oc.override()
        .ifPresent(
            o -> {
              h.el("dt", "Override in force");
              h.el(
                  "dd",
                  o.team().value()
                      + " until "
                      + Layout.time(o.until(), zone)
                      + " ("
                      + o.reason()
                      + ")");
            });
    h.el("dt", "Next");
    h.el(
        "dd",
        oc.next()
            .map(
                n ->
                    name(resolver, n.team())
                        + " at "
                        + Layout.time(n.at(), zone)
                        + " (in "
                        + Layout.age(Duration.between(now, n.at()))
                        + ")")
            .orElse("no handoff in the next 8 days"),
        "id",
        "oncall-next");
    h.close();

    // the viewer's week: from Monday 00:00 in the zone of the axis
    Instant weekStart =
        now.atZone(zone)
            .toLocalDate()
            .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
            .atStartOfDay(zone)
            .toInstant();
    h.open("section", "aria-labelledby", "week-h");
    h.el("h2", "This week's coverage", "id", "week-h");
    if (resolver.schedule().teams().isEmpty()) {
      h.el("p", "No teams are configured (teams.yaml): nobody is paged.");
    } else {
      h.safe(Graphs.week(resolver.schedule(), overrides, weekStart, zone, now));
      // the chart's gaps and overlaps again as text, for screen readers (the chart is one image)
      List<CoverageLint.Span> spans = CoverageLint.spans(resolver.schedule(), weekStart, WEEK);
      if (spans.isEmpty()) {
        h.el("p", "No gaps or overlaps this week.", "class", "findings sr-only");
      } else {
        h.open("ul", "class", "findings sr-only", "aria-label", "Gaps and overlaps this week");
        for (CoverageLint.Span sp : spans) {
          String when = Layout.time(sp.start(), zone) + " to " + Layout.time(sp.end(), zone);
          h.el(
              "li",
              sp.isGap()
                  ? "Gap: nobody's window covers " + when
                  : "Overlap: " + names(resolver, sp.teams()) + " from " + when,
              "class",
              sp.isGap() ? "gap" : "overlap");
        }
        h.close();
      }
    }
    h.close();

    h.open("section", "aria-labelledby", "overrides-h");
    h.el("h2", "Overrides", "id", "overrides-h");
    if (overrides.isEmpty()) {
      h.el("p", "No override now or ahead.");
    } else {
      h.open("table", "class", "overrides");
      h.open("thead").open("tr");
      for (String c : List.of("Team", "From", "Until", "By", "Reason", "")) {
        h.el("th", c, "scope", "col");
      }
      h.close().close().open("tbody");
      for (ScheduleOverride o : overrides) {
        h.open("tr");
        h.el("td", name(resolver, o.team()));
        h.el("td", Layout.time(o.from(), zone));
        h.el("td", Layout.time(o.until(), zone));
        h.el("td", o.by());
        h.el("td", o.reason());
        h.open("td");
        Layout.button(h, "/ui/overrides/" + o.id() + "/delete", csrf, "Delete override " + o.id());
        h.close();
        h.close();
      }
      h.close().close();
    }
    addForm(h, resolver, csrf);
    h.close();
    return h.done();
  }

  private static void addForm(Html h, Resolver resolver, String csrf) {
    List<Team> teams = resolver.schedule().teams();
    if (teams.isEmpty()) {
      h.el("p", "No teams are configured (teams.yaml), so no override can be added.");
      return;
    }
    h.open(
        "form",
        "method",
        "post",
        "action",
        "/ui/overrides",
        "class",
        "stack",
        "aria-labelledby",
        "add-h");
    h.el("h3", "Add an override", "id", "add-h");
    Layout.csrfField(h, csrf);
    h.el("label", "Team", "for", "o-team");
    h.open("select", "id", "o-team", "name", "team", "required", "");
    teams.forEach(
        t -> h.el("option", t.name() + " (" + t.id().value() + ")", "value", t.id().value()));
    h.close();
    h.el("label", "For how long, from now (e.g. 2h, 30m, 1d)", "for", "o-duration");
    h.open(
        "input",
        "type",
        "text",
        "id",
        "o-duration",
        "name",
        "duration",
        "required",
        "",
        "value",
        "2h");
    h.el("label", "Reason", "for", "o-reason");
    h.open("input", "type", "text", "id", "o-reason", "name", "reason", "maxlength", "200");
    h.el("button", "Add override", "type", "submit");
    h.close();
  }

  private static String names(Resolver resolver, List<TeamId> ids) {
    return ids.stream().map(id -> name(resolver, id)).collect(Collectors.joining(", "));
  }

  private static String name(Resolver resolver, TeamId id) {
    return resolver
        .schedule()
        .team(id)
        .map(t -> t.name() + " (" + id.value() + ")")
        .orElse(id.value());
  }
}
