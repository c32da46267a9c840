package dev.vigil.console;

import dev.vigil.http.IncidentReads;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Severity;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import dev.vigil.runbook.RunbookCatalog;
import dev.vigil.runbook.engine.RunRecord;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/** The console's pages (GET): each reads what it shows, then renders it. */
final class Pages {
  static final int LIST_LIMIT = 100;

  private final Console.Deps deps;
  private final RunViews runViews;

  Pages(Console.Deps deps) {
    this.deps = deps;
    this.runViews = new RunViews(deps.runbooks(), deps.reader());
  }

  void incidents(RoutingContext ctx) {
    IncidentViews.Filter f = filter(ctx);
    Instant now = deps.clock().instant();
    listed(f)
        .onSuccess(
            l ->
                page(
                    ctx,
                    "Incidents",
                    "/ui/incidents",
                    IncidentViews.list(f, teams(), l.incidents(), l.runs(), now)))
        .onFailure(ctx::fail);
  }

  /** The list's rows alone, for live updates. */
  void incidentRows(RoutingContext ctx) {
    IncidentViews.Filter f = filter(ctx);
    Instant now = deps.clock().instant();
    listed(f)
        .onSuccess(l -> Console.send(ctx, 200, IncidentViews.rows(l.incidents(), l.runs(), now)))
        .onFailure(ctx::fail);
  }

  void incident(RoutingContext ctx) {
    IncidentId id = id(ctx);
    String csrf = csrf(ctx);
    detail(id)
        .onSuccess(
            d -> {
              List<String> runbooks =
                  deps.runbooks().catalog().runbooks().stream()
                      .map(r -> r.name())
                      .sorted()
                      .toList();
              Html.Safe live = live(d, csrf);
              page(
                  ctx, id.toString(), "/ui/incidents", IncidentViews.page(d, runbooks, csrf, live));
            })
        .onFailure(ctx::fail);
  }

  /** The part of the incident page that changes, for live updates. */
  void incidentLive(RoutingContext ctx) {
    String csrf = csrf(ctx);
    detail(id(ctx)).onSuccess(d -> Console.send(ctx, 200, live(d, csrf))).onFailure(ctx::fail);
  }

  void oncall(RoutingContext ctx) {
    ZoneId zone = OncallView.zone(ctx.queryParams().get("tz"));
    String csrf = csrf(ctx);
    // the week's coverage is a minute walk of the schedule: off the event loop
    deps.overrides()
        .refresh()
        .compose(
            overrides ->
                ctx.vertx()
                    .executeBlocking(
                        () ->
                            OncallView.render(
                                deps.resolver(), overrides, deps.clock().instant(), zone, csrf),
                        false))
        .onSuccess(body -> page(ctx, "On call", "/ui/oncall", body))
        .onFailure(ctx::fail);
  }

  void runbooks(RoutingContext ctx) {
    RunbookCatalog catalog = deps.runbooks().catalog();
    page(ctx, "Runbooks", "/ui/runbooks", RunbooksView.render(catalog, deps.engine()));
  }

  void stats(RoutingContext ctx) {
    StatsView.Period period = StatsView.Period.parse(ctx.queryParams().get("period"));
    Instant since = deps.clock().instant().minus(period.length());
    StatsView.load(deps.stats(), since, teams())
        .onSuccess(rows -> page(ctx, "Stats", "/ui/stats", StatsView.render(period, rows)))
        .onFailure(ctx::fail);
  }

  private Html.Safe live(IncidentReads.Detail d, String csrf) {
    return IncidentViews.live(d, csrf, runViews.runs(d.runs(), csrf, deps.clock().instant()));
  }

  private Future<IncidentReads.Detail> detail(IncidentId id) {
    return deps.reads()
        .detail(id)
        .map(
            found ->
                found.orElseThrow(
                    () -> new HttpException(404, "incident " + id + " does not exist")));
  }

  private record Listed(List<Incident> incidents, Map<IncidentId, RunRecord> runs) {}

  private Future<Listed> listed(IncidentViews.Filter f) {
    IncidentQuery q =
        new IncidentQuery(
            f.status() == null ? null : IncidentStatus.parse(f.status()).orElseThrow(),
            f.team(),
            f.severity() == null ? null : Severity.parse(f.severity()).orElseThrow(),
            LIST_LIMIT);
    return deps.reads()
        .list(q)
        .compose(list -> deps.reads().latestRuns(list).map(runs -> new Listed(list, runs)));
  }

  /** The list's filters from the query; an unknown status or severity is a 400. */
  private static IncidentViews.Filter filter(RoutingContext ctx) {
    String status = blank(ctx.queryParams().get("status"));
    String team = blank(ctx.queryParams().get("team"));
    String severity = blank(ctx.queryParams().get("severity"));
    if (status != null && IncidentStatus.parse(status).isEmpty()) {
      throw new HttpException(400, "status: expected triggered, acknowledged or resolved");
    }
    if (severity != null && Severity.parse(severity).isEmpty()) {
      throw new HttpException(
          400, "severity: expected one of " + String.join(", ", Severity.NAMES));
    }
    return new IncidentViews.Filter(status, team, severity);
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static IncidentId id(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    return IncidentId.parse(raw)
        .orElseThrow(() -> new HttpException(404, "incident " + raw + " does not exist"));
  }

  private List<String> teams() {
    return deps.resolver().schedule().teams().stream().map(Team::id).map(TeamId::value).toList();
  }

  private String csrf(RoutingContext ctx) {
    Sessions.Session s = ctx.get(Console.SESSION);
    return deps.sessions().csrf(s);
  }

  private void page(RoutingContext ctx, String title, String nav, Html.Safe body) {
    Console.send(ctx, 200, Layout.page(title, nav, csrf(ctx), !deps.sessions().open(), body));
  }
}
