package dev.vigil.http;

import dev.vigil.config.Problem;
import dev.vigil.runbook.RunbookCatalog;
import dev.vigil.runbook.RunbookGraph;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.engine.Engine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /api/v1/runbooks}: the runbooks in force with their errors, and their graphs ({@code POST
 * /-/reload} is {@link ReloadApi}).
 */
public final class RunbookApi {
  private final RunbookRegistry registry;
  private final Engine engine;

  public RunbookApi(RunbookRegistry registry) {
    this(registry, null);
  }

  /**
   * With the engine, the list shows the rollout guard's verdict (mode manual, and why) and success
   * rates.
   */
  public RunbookApi(RunbookRegistry registry, Engine engine) {
    this.registry = registry;
    this.engine = engine;
  }

  /**
   * Every runbook file: name, version and mode of what serves, whether the file on disk is valid
   * and, when it is not, its errors (the last good version keeps serving). {@code successRate} is
   * null until runs are recorded.
   */
  public void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    for (RunbookCatalog.Entry e : registry.catalog().entries()) {
      JsonObject o = new JsonObject().put("name", e.name());
      o.put("version", e.serving().map(r -> r.version()).orElse(null));
      o.put("mode", e.serving().map(r -> r.rollout().mode().wire()).orElse(null));
      if (engine != null && e.serving().isPresent()) {
        engine
            .trip(e.name(), e.serving().get().version())
            .ifPresent(
                t ->
                    o.put("mode", "manual")
                        .put(
                            "guard",
                            new JsonObject()
                                .put("reason", t.reason())
                                .put("at", t.at().toString())));
      }
      o.put("serving", e.serving().isPresent());
      o.put("valid", e.valid());
      o.put("errors", errors(e));
      o.put("successRate", engine == null ? null : engine.successRate(e.name()).orElse(null));
      o.put("file", e.label());
      out.add(o);
    }
    ctx.json(new JsonObject().put("runbooks", out));
  }

  /** {@code ?format=mermaid} (default) or {@code dot}, as text. */
  public void graph(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    String f = ctx.queryParams().get("format");
    RunbookGraph.Format format;
    if (f == null || f.equals("mermaid")) {
      format = RunbookGraph.Format.mermaid;
    } else if (f.equals("dot")) {
      format = RunbookGraph.Format.dot;
    } else {
      throw ApiError.badRequest("format: expected mermaid or dot, got \"" + f + "\"");
    }
    var rb =
        registry
            .byName(name)
            .orElseThrow(() -> ApiError.notFound("runbook " + name + " does not exist"));
    ctx.response()
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .end(RunbookGraph.render(rb, format));
  }

  private static JsonArray errors(RunbookCatalog.Entry e) {
    JsonArray a = new JsonArray();
    e.errors().stream().map(Problem::toString).forEach(a::add);
    return a;
  }
}
