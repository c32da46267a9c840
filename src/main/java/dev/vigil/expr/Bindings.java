package dev.vigil.expr;

import dev.vigil.alert.Alert;
import dev.vigil.incident.Incident;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime values of the variables declared in {@link ExprTypes}: every struct is a map holding
 * every declared field (absent values are empty strings, zero or null), so an expression that
 * type-checked at load never fails on a missing field.
 */
public final class Bindings {
  private Bindings() {}

  public static Map<String, Object> alert(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("labels", a.labels());
    m.put("annotations", a.annotations());
    m.put("status", a.status().wire());
    m.put("startsAt", a.startsAt() == null ? "" : a.startsAt().toString());
    m.put("fingerprint", a.fingerprint());
    return m;
  }

  public static List<Map<String, Object>> alerts(List<Alert> alerts) {
    return alerts.stream().map(Bindings::alert).toList();
  }

  public static Map<String, Object> incident(Incident i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", i.id().toString());
    m.put("severity", i.severity().wire());
    m.put("type", nz(i.type()));
    m.put("status", i.status().wire());
    m.put("team", nz(i.team()));
    m.put("title", nz(i.title()));
    return m;
  }

  public static Map<String, Object> team(String id, String name, String region) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", nz(id));
    m.put("name", nz(name));
    m.put("region", nz(region));
    return m;
  }

  /** An HTTP response; {@code json} is the parsed body when it is JSON, else null. */
  public static Map<String, Object> httpResponse(
      long status, Map<String, String> headers, String body, Object json) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status);
    m.put("headers", headers);
    m.put("body", nz(body));
    m.put("json", json);
    return m;
  }

  /** What {@code steps.<id>} reads. */
  public static Map<String, Object> stepResult(
      String status, long attempts, String error, Map<String, Object> output) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status);
    m.put("attempts", attempts);
    m.put("error", nz(error));
    m.put("output", output);
    return m;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
