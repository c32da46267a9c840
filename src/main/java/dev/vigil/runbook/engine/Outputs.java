package dev.vigil.runbook.engine;

import dev.vigil.expr.Bindings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every output field a step kind declares, so an expression that type-checked at load never fails
 * on a missing field: what a step produced, over the kind's zero values.
 */
final class Outputs {
  private Outputs() {}

  static Map<String, Object> complete(String kind, Map<String, Object> output) {
    Map<String, Object> m = new LinkedHashMap<>(zero(kind));
    if (output != null) {
      m.putAll(output);
    }
    return m;
  }

  static Map<String, Object> zero(String kind) {
    return switch (kind) {
      case "http", "check" -> Bindings.httpResponse(0, Map.of(), "", null);
      case "exec" -> Map.of("exitCode", -1L, "stdout", "", "stderr", "");
      case "slack" -> Map.of("channel", "", "channelId", "", "ts", "");
      case "pagerduty" -> Map.of("dedupKey", "");
      case "approval" -> Map.of("decision", "", "by", "", "at", "");
      default -> Map.of();
    };
  }
}
