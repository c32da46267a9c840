package dev.vigil.console;

import dev.vigil.incident.Severity;
import dev.vigil.stats.Stats;
import dev.vigil.stats.StatsQuery;
import dev.vigil.stats.StatsStore;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The stats page: MTTA, MTTR and the auto-resolution rate over a period, for all incidents, per
 * team and per severity, computed by the same store query as {@code GET /api/v1/stats}.
 */
final class StatsView {
  /** The periods offered. */
  enum Period {
    DAY("24h", "the last 24 hours", Duration.ofHours(24)),
    WEEK("7d", "the last 7 days", Duration.ofDays(7)),
    MONTH("30d", "the last 30 days", Duration.ofDays(30)),
    QUARTER("90d", "the last 90 days", Duration.ofDays(90));

    final String wire;
    final String label;
    private final Duration length;

    Period(String wire, String label, Duration length) {
      this.wire = wire;
      this.label = label;
      this.length = length;
    }

    Duration length() {
      return length;
    }

    /** The period {@code ?period=} names; the last 7 days when it names none. */
    static Period parse(String s) {
      for (Period p : values()) {
        if (p.wire.equals(s)) {
          return p;
        }
      }
      return WEEK;
    }
  }

  /** One line of the table: which slice ({@code All}, a team, a severity) and its numbers. */
  record Row(String group, String label, Stats stats) {}

  private StatsView() {}

  /** All incidents, each team's and each severity's, since {@code since}. */
  static Future<List<Row>> load(StatsStore store, Instant since, List<String> teams) {
    List<String> groups = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<Future<Stats>> loads = new ArrayList<>();
    groups.add("all");
    labels.add("All incidents");
    loads.add(store.load(new StatsQuery(since, null, null)).map(Stats::of));
    for (String t : teams) {
      groups.add("team");
      labels.add(t);
      loads.add(store.load(new StatsQuery(since, t, null)).map(Stats::of));
    }
    for (Severity s : Severity.values()) {
      groups.add("severity");
      labels.add(s.wire());
      loads.add(store.load(new StatsQuery(since, null, s)).map(Stats::of));
    }
    return Future.all(loads)
        .map(
            v -> {
              List<Row> rows = new ArrayList<>();
              for (int i = 0; i < loads.size(); i++) {
                rows.add(new Row(groups.get(i), labels.get(i), loads.get(i).result()));
              }
              return rows;
            });
  }

  static Html.Safe render(Period period, List<Row> rows) {
    Html h = new Html();
    h.el("h1", "Stats");
    h.open("form", "method", "get", "action", "/ui/stats", "class", "filters");
    h.el("label", "Period", "for", "period");
    h.open("select", "id", "period", "name", "period");
    for (Period p : Period.values()) {
      h.el("option", p.label, "value", p.wire, "selected", p == period ? "" : null);
    }
    h.close();
    h.el("button", "Show", "type", "submit");
    h.close();
    h.safe(Graphs.stats("MTTA, MTTR and auto-resolution over " + period.label, rows));
    h.open("table", "class", "stats");
    h.el("caption", "Incidents opened in " + period.label);
    h.open("thead").open("tr");
    for (String c :
        List.of(
            "Slice",
            "Incidents",
            "MTTA (mean)",
            "MTTA (p90)",
            "MTTR (mean)",
            "MTTR (p90)",
            "Auto-resolved")) {
      h.el("th", c, "scope", "col");
    }
    h.close().close().open("tbody");
    for (Row r : rows) {
      Stats s = r.stats();
      h.open("tr", "data-group", r.group());
      h.el("th", (r.group().equals("all") ? "" : r.group() + ": ") + r.label(), "scope", "row");
      h.el("td", String.valueOf(s.incidents()));
      h.el("td", duration(s.mtta().mean()));
      h.el("td", duration(s.mtta().p90()));
      h.el("td", duration(s.mttr().mean()));
      h.el("td", duration(s.mttr().p90()));
      h.el(
          "td",
          s.autoResolutionRate() == null
              ? "—"
              : Math.round(s.autoResolutionRate() * 100) + "% (" + s.autoResolved() + ")");
      h.close();
    }
    h.close().close();
    return h.done();
  }

  static String duration(Duration d) {
    return d == null ? "—" : Layout.age(d);
  }
}
