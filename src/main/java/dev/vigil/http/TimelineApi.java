package dev.vigil.http;

import dev.vigil.incident.IncidentId;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/v1/incidents/{id}/timeline?format=markdown|json}: the postmortem timeline ({@link
 * Postmortem}).
 */
public final class TimelineApi {
  private final IncidentReads reads;

  public TimelineApi(IncidentReads reads) {
    this.reads = reads;
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
    reads
        .detail(id)
        .map(
            found -> {
              var d =
                  found.orElseThrow(() -> ApiError.notFound("incident " + id + " does not exist"));
              return new Postmortem(d.incident(), d.alerts(), d.timeline(), d.runs());
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
