package dev.vigil.console;

import dev.vigil.http.OncallApi;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.engine.RunId;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * The console's actions (form POSTs, CSRF-checked by {@link Console}): each calls the same service
 * as the JSON API's endpoint of the same name (the incident store, the runbook engine, the
 * overrides), then sends the browser back to the page it came from. A refusal (409: already
 * acknowledged) is a page that says why.
 */
final class Actions {
  private final Console.Deps deps;

  Actions(Console.Deps deps) {
    this.deps = deps;
  }

  void acknowledge(RoutingContext ctx) {
    IncidentId id = Pages.id(ctx);
    deps.incidents()
        .acknowledge(id, by(ctx), text(ctx), deps.clock().instant())
        .onSuccess(i -> back(ctx, id))
        .onFailure(ctx::fail);
  }

  void resolve(RoutingContext ctx) {
    IncidentId id = Pages.id(ctx);
    deps.incidents()
        .resolve(id, by(ctx), text(ctx), deps.clock().instant())
        .onSuccess(i -> back(ctx, id))
        .onFailure(ctx::fail);
  }

  void note(RoutingContext ctx) {
    IncidentId id = Pages.id(ctx);
    String text = text(ctx);
    if (text.isBlank()) {
      throw new HttpException(400, "a note needs some text");
    }
    deps.incidents()
        .append(id, new TimelineEvent(deps.clock().instant(), "note", by(ctx), text))
        .onSuccess(e -> back(ctx, id))
        .onFailure(ctx::fail);
  }

  /** Starts a runbook for the incident as a real run, whatever its mode (as the API does). */
  void startRun(RoutingContext ctx) {
    IncidentId id = Pages.id(ctx);
    String runbook = field(ctx, "runbook");
    if (runbook.isBlank()) {
      throw new HttpException(400, "choose a runbook to start");
    }
    deps.engine()
        .startByHand(runbook, id, "console:" + by(ctx))
        .onSuccess(r -> back(ctx, id))
        .onFailure(ctx::fail);
  }

  /** Approves or rejects a run's waiting approval step. */
  void decide(RoutingContext ctx, boolean approve) {
    String raw = ctx.pathParam("id");
    RunId run =
        RunId.parse(raw)
            .orElseThrow(() -> new HttpException(404, "run " + raw + " does not exist"));
    String step = field(ctx, "step");
    deps.engine()
        .decide(run, step.isBlank() ? null : step, approve, by(ctx))
        .onSuccess(r -> back(ctx, r.incident()))
        .onFailure(ctx::fail);
  }

  void addOverride(RoutingContext ctx) {
    OncallApi.NewOverride o =
        OncallApi.newOverride(
            f -> {
              String v = ctx.request().getFormAttribute(f);
              return v == null || v.isBlank() ? null : v.strip();
            },
            deps.resolver(),
            deps.clock().instant());
    deps.overrides()
        .add(o.team(), o.from(), o.until(), "console:" + by(ctx), o.reason())
        .onSuccess(x -> Console.redirect(ctx, "/ui/oncall"))
        .onFailure(ctx::fail);
  }

  void deleteOverride(RoutingContext ctx) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new HttpException(404, "no such override");
    }
    deps.overrides()
        .remove(id)
        .onSuccess(
            found -> {
              if (found) {
                Console.redirect(ctx, "/ui/oncall");
              } else {
                ctx.fail(
                    new HttpException(404, "override " + ctx.pathParam("id") + " does not exist"));
              }
            })
        .onFailure(ctx::fail);
  }

  /** Who acts: the name given at login, else {@code console}. */
  private static String by(RoutingContext ctx) {
    Sessions.Session s = ctx.get(Console.SESSION);
    return s == null || s.name().isBlank() ? "console" : s.name();
  }

  private static String text(RoutingContext ctx) {
    String t = field(ctx, "text");
    return t.length() > 10_000 ? t.substring(0, 10_000) : t;
  }

  private static String field(RoutingContext ctx, String name) {
    String v = ctx.request().getFormAttribute(name);
    return v == null ? "" : v.strip();
  }

  private static void back(RoutingContext ctx, IncidentId id) {
    Console.redirect(ctx, "/ui/incidents/" + id);
  }
}
