package dev.vigil.http;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.runbook.engine.RunRecord;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Function;

/**
 * {@code GET /api/v1/incidents/{id}/timeline?format=markdown|json}: the postmortem timeline ({@link
 * Postmortem}).
 */
public final class TimelineApi {
  private final IncidentStore incidents;
  private final Function<IncidentId, Future<List<RunRecord>>> runs;

  /**
   * @param runs the runbook runs of an incident, with their steps
   */
  public TimelineApi(IncidentStore incidents, Function<IncidentId, Future<List<RunRecord>>> runs) {
    this.incidents = incidents;
    this.runs = runs;
  }

  public void timeline(RoutingContext ctx) {
    String format =
        IncidentApi.param(
            ctx,
            "format",
            f -> {
              if (!f.equals("markdown") && !f.equals("json")) {
                throw ApiError.badRequest("format: expected markdown or json, got \"" + f + "\"");
              }
              return f;
            });
    IncidentId id = IncidentApi.id(ctx);
    incidents
        .get(id)
        .compose(
            found -> {
              var incident =
                  found.orElseThrow(() -> ApiError.notFound("incident " + id + " does not exist"));
              var alerts = incidents.alerts(id);
              var timeline = incidents.timeline(id);
              var rs = runs.apply(id);
              return Future.all(alerts, timeline, rs)
                  .map(
                      v ->
                          new Postmortem(
                              incident, alerts.result(), timeline.result(), rs.result()));
            })
        .onSuccess(
            p -> {
              if ("json".equals(format)) {
                ctx.json(p.json());
              } else {
                ctx.response()
                    .putHeader("Content-Type", "text/markdown; charset=utf-8")
                    .end(p.markdown());
              }
            })
        .onFailure(ctx::fail);
  }
}
