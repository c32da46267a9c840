package dev.vigil.http;

import dev.vigil.incident.IncidentId;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.runbook.engine.EngineException;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunQuery;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.StepRun;
import dev.vigil.runbook.engine.StepStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.LinkedHashMap;

/**
 * {@code /api/v1/runs}: a run with its steps; approve and reject; and starting a runbook by hand.
 */
public final class RunApi {
  private static final String STORED_STATUSES =
      "pending, running, succeeded, failed, timed-out, cancelled";
  private final Engine engine;

  public RunApi(Engine engine) {
    this.engine = engine;
  }

  public void show(RoutingContext ctx) {
    RunId id = id(ctx);
    // a throw inside onSuccess would be lost (the request would never be answered): fail the
    // context instead
    engine
        .run(id)
        .onSuccess(
            found ->
                found.ifPresentOrElse(
                    r -> ctx.json(json(r)),
                    () -> ctx.fail(ApiError.notFound("run " + id + " does not exist"))))
        .onFailure(ctx::fail);
  }

  /**
   * {@code GET /api/v1/runs?status=&runbook=&incident=&limit=}: run summaries with their steps'
   * statuses, newest first.
   */
  public void list(RoutingContext ctx) {
    RunStatus status =
        IncidentApi.param(
            ctx,
            "status",
            s -> {
              try {
                return RunStatus.parse(s);
              } catch (IllegalArgumentException e) {
                throw ApiError.badRequest(
                    "status: expected one of " + STORED_STATUSES + ", got \"" + s + "\"");
              }
            });
    if (status == RunStatus.WAITING) {
      throw ApiError.badRequest(
          "status: waiting runs are stored as running: ask for status=running");
    }
    String runbook = IncidentApi.param(ctx, "runbook", s -> s);
    IncidentId incident =
        IncidentApi.param(
            ctx,
            "incident",
            s ->
                IncidentId.parse(s)
                    .orElseThrow(
                        () ->
                            ApiError.badRequest(
                                "incident: expected an incident id like INC-42, got \""
                                    + s
                                    + "\"")));
    Integer limit = IncidentApi.param(ctx, "limit", IncidentApi::limit);
    engine
        .runs(new RunQuery(status, runbook, incident, limit == null ? 50 : limit))
        .onSuccess(
            runs -> {
              JsonArray out = new JsonArray();
              runs.forEach(r -> out.add(listed(r)));
              ctx.json(new JsonObject().put("runs", out));
            })
        .onFailure(ctx::fail);
  }

  /**
   * {@code POST /api/v1/runs/{id}/cancel {"by": "alice"}}: cancels an unfinished run → the run; 409
   * when it has ended.
   */
  public void cancel(RoutingContext ctx) {
    RunId id = id(ctx);
    JsonObject body = IncidentApi.body(ctx);
    String by = body.getString("by", "api");
    engine
        .cancel(id, by.isBlank() ? "api" : by)
        .onSuccess(r -> ctx.json(json(r)))
        .onFailure(e -> ctx.fail(http(e)));
  }

  public void approve(RoutingContext ctx) {
    decide(ctx, true);
  }

  public void reject(RoutingContext ctx) {
    decide(ctx, false);
  }

  private void decide(RoutingContext ctx, boolean approve) {
    JsonObject body = IncidentApi.body(ctx);
    Object step = body.getValue("step");
    if (step != null && !(step instanceof String)) {
      throw ApiError.badRequest("step: expected a string, the id of the approval step");
    }
    String by = body.getString("by", "api");
    engine
        .decide(id(ctx), (String) step, approve, by.isBlank() ? "api" : by)
        .onSuccess(r -> ctx.json(json(r)))
        .onFailure(e -> ctx.fail(http(e)));
  }

  /** {@code POST /api/v1/runbooks/{name}/runs {"incident": "INC-1"}}: 201 with the run. */
  public void start(RoutingContext ctx) {
    JsonObject body = IncidentApi.body(ctx);
    Object raw = body.getValue("incident");
    if (!(raw instanceof String s) || IncidentId.parse(s).isEmpty()) {
      throw ApiError.badRequest("incident: required, an incident id like INC-42");
    }
    String by = body.getString("by", "api");
    engine
        .startByHand(
            ctx.pathParam("name"),
            IncidentId.parse((String) raw).orElseThrow(),
            "api:" + (by.isBlank() ? "api" : by))
        .onSuccess(
            r ->
                ctx.response()
                    .setStatusCode(201)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Location", "/api/v1/runs/" + r.id())
                    .end(json(r).encode()))
        .onFailure(e -> ctx.fail(http(e)));
  }

  private static Throwable http(Throwable e) {
    if (e instanceof EngineException ee) {
      return new HttpException(
          ee.reason() == EngineException.Reason.NOT_FOUND ? 404 : 409, ee.getMessage());
    }
    return e;
  }

  static RunId id(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    return RunId.parse(raw)
        .orElseThrow(
            () -> ApiError.notFound("run " + raw + " does not exist (ids look like RUN-7)"));
  }

  /** The run as INTERFACES.md shows it. */
  public static JsonObject json(RunRecord r) {
    JsonArray steps = new JsonArray();
    for (StepRun s : r.steps()) {
      steps.add(
          new JsonObject()
              .put("id", s.id())
              .put("kind", s.kind())
              .put("status", s.status().wire())
              .put("attempts", s.attempts())
              .put("startedAt", IncidentApi.time(s.startedAt()))
              .put("endedAt", IncidentApi.time(s.endedAt()))
              .put("wakeAt", IncidentApi.time(s.wakeAt()))
              .put("output", new JsonObject(new LinkedHashMap<>(s.output())))
              .put("error", s.error())
              .put("action", s.rendered()));
    }
    return summary(r)
        .put("mode", r.mode().wire())
        .put("startedBy", r.startedBy())
        .put("createdAt", IncidentApi.time(r.createdAt()))
        .put("startedAt", IncidentApi.time(r.startedAt()))
        .put("endedAt", IncidentApi.time(r.endedAt()))
        .put("deadline", IncidentApi.time(r.deadline()))
        .put("error", r.error())
        .put("steps", steps);
  }

  /** A run in a list: its summary, who started it and when, and each step's id and status. */
  static JsonObject listed(RunRecord r) {
    JsonArray steps = new JsonArray();
    r.steps()
        .forEach(
            s ->
                steps.add(
                    new JsonObject()
                        .put("id", s.id())
                        .put("kind", s.kind())
                        .put("status", s.status().wire())));
    return summary(r)
        .put("mode", r.mode().wire())
        .put("startedBy", r.startedBy())
        .put("createdAt", IncidentApi.time(r.createdAt()))
        .put("endedAt", IncidentApi.time(r.endedAt()))
        .put("steps", steps);
  }

  public static JsonObject summary(RunRecord r) {
    return new JsonObject()
        .put("id", r.id().toString())
        .put("runbook", r.runbook())
        .put("version", r.version())
        .put("incident", r.incident().toString())
        .put("status", status(r));
  }

  /**
   * A running run whose only unfinished work is a wait or an approval (or a retry's backoff) reads
   * {@code waiting}.
   */
  public static String status(RunRecord r) {
    if (r.status() != RunStatus.RUNNING) {
      return r.status().wire();
    }
    boolean anyWaiting = false;
    for (StepRun s : r.steps()) {
      if (s.status() == StepStatus.RUNNING) {
        return r.status().wire();
      }
      anyWaiting |= s.status() == StepStatus.WAITING;
    }
    return anyWaiting ? "waiting" : r.status().wire();
  }
}
