package dev.vigil.http;

import dev.vigil.config.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code POST /-/reload}: reloads the runbooks, teams.yaml and classification.yaml now, as SIGHUP
 * does.
 */
public final class ReloadApi {
  private final Function<String, Future<Report>> reload;

  /**
   * What one reload did. The counts are of what serves after it: after a rejected edit, the last
   * good version's.
   *
   * @param runbookErrors problems of rejected runbook files (the others loaded)
   * @param routingErrors problems of teams.yaml and classification.yaml (with any, neither was
   *     loaded)
   */
  public record Report(
      int runbooks,
      List<Problem> runbookErrors,
      int teams,
      int classificationRules,
      List<Problem> routingErrors) {
    public boolean ok() {
      return runbookErrors.isEmpty() && routingErrors.isEmpty();
    }
  }

  /**
   * @param reload reloads everything; its argument is the cause, for the log
   */
  public ReloadApi(Function<String, Future<Report>> reload) {
    this.reload = reload;
  }

  /**
   * 200 {@code {"runbooks": N, "teams": N, "classificationRules": N, "errors": []}} when every file
   * is valid; else 422 with the same fields, {@code errors} as {@code file:line:col: message} and
   * {@code error} saying what kept serving.
   */
  public void reload(RoutingContext ctx) {
    reload
        .apply("POST /-/reload")
        .onSuccess(
            r -> {
              JsonArray errors = new JsonArray();
              r.runbookErrors().forEach(p -> errors.add(p.toString()));
              r.routingErrors().forEach(p -> errors.add(p.toString()));
              JsonObject body =
                  new JsonObject()
                      .put("runbooks", r.runbooks())
                      .put("teams", r.teams())
                      .put("classificationRules", r.classificationRules())
                      .put("errors", errors);
              if (!r.ok()) {
                List<String> what = new ArrayList<>();
                if (!r.runbookErrors().isEmpty()) {
                  what.add(
                      problems(r.runbookErrors())
                          + " in runbook files; those files were not loaded and their last good versions keep serving");
                }
                if (!r.routingErrors().isEmpty()) {
                  what.add(
                      problems(r.routingErrors())
                          + " in teams.yaml or classification.yaml; neither was loaded and the last good"
                          + " teams and classification keep serving");
                }
                body.put("error", String.join("; ", what));
              }
              ctx.response()
                  .setStatusCode(r.ok() ? 200 : 422)
                  .putHeader("Content-Type", "application/json")
                  .end(body.encode());
            })
        .onFailure(ctx::fail);
  }

  private static String problems(List<Problem> list) {
    return list.size() + " problem" + (list.size() == 1 ? "" : "s");
  }
}
