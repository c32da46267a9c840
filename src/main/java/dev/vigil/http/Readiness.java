package dev.vigil.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@code /readyz} reports: checks that must pass for Vigil to take alerts (the store answers,
 * the config is loaded) and, for information, which integrations are off and why. Messages never
 * contain secrets.
 */
public final class Readiness {
  private final Map<String, Supplier<Future<Void>>> checks = new LinkedHashMap<>();
  private final Map<String, Supplier<String>> integrations = new LinkedHashMap<>();

  public Readiness check(String name, Supplier<Future<Void>> check) {
    checks.put(name, check);
    return this;
  }

  /** {@code state} says e.g. "on", "off: no bot token configured", "circuit open". */
  public Readiness integration(String name, Supplier<String> state) {
    integrations.put(name, state);
    return this;
  }

  /** Runs every check; the result says {@code "ready": true} only if all passed. */
  public Future<JsonObject> evaluate() {
    JsonObject results = new JsonObject();
    List<Future<Boolean>> outcomes = new ArrayList<>();
    for (Map.Entry<String, Supplier<Future<Void>>> c : checks.entrySet()) {
      Future<Void> f;
      try {
        f = c.getValue().get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      outcomes.add(
          f.transform(
              ar -> {
                results.put(
                    c.getKey(), ar.succeeded() ? "ok" : "failing: " + ar.cause().getMessage());
                return Future.succeededFuture(ar.succeeded());
              }));
    }
    return Future.all(outcomes)
        .map(
            v -> {
              boolean ready = outcomes.stream().allMatch(Future::result);
              JsonObject ints = new JsonObject();
              integrations.forEach((k, s) -> ints.put(k, s.get()));
              return new JsonObject()
                  .put("ready", ready)
                  .put("checks", results)
                  .put("integrations", ints);
            });
  }
}
