package dev.vigil.expr;

import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The declared CEL types of what runbook expressions can read, so that a misspelt field ({@code
 * alert.lables}) or a wrong comparison ({@code alert.labels.x > 3}) fails when the runbook loads,
 * not when it runs at 3 a.m.
 *
 * <p>At run time every struct is a {@code Map} with exactly these keys (see {@link Bindings}).
 */
public final class ExprTypes {
  private ExprTypes() {}

  public static final CelType STRING_MAP = MapType.create(SimpleType.STRING, SimpleType.STRING);

  /** One alert: labels, annotations, status, startsAt (RFC 3339 text), fingerprint. */
  public static final StructType ALERT =
      struct(
          "vigil.Alert",
          fields(
              "labels",
              STRING_MAP,
              "annotations",
              STRING_MAP,
              "status",
              SimpleType.STRING,
              "startsAt",
              SimpleType.STRING,
              "fingerprint",
              SimpleType.STRING));

  public static final CelType ALERTS = ListType.create(ALERT);

  /** The incident: id, severity, type, status, team, title. */
  public static final StructType INCIDENT =
      struct(
          "vigil.Incident",
          fields(
              "id",
              SimpleType.STRING,
              "severity",
              SimpleType.STRING,
              "type",
              SimpleType.STRING,
              "status",
              SimpleType.STRING,
              "team",
              SimpleType.STRING,
              "title",
              SimpleType.STRING));

  /** The owning team: id, name, region (empty strings when no team owns the incident). */
  public static final StructType TEAM =
      struct(
          "vigil.Team",
          fields("id", SimpleType.STRING, "name", SimpleType.STRING, "region", SimpleType.STRING));

  /** An HTTP response as http steps output it and check conditions see it. */
  public static final StructType HTTP_RESPONSE =
      struct(
          "vigil.HttpResponse",
          fields(
              "status",
              SimpleType.INT,
              "headers",
              STRING_MAP,
              "body",
              SimpleType.STRING,
              "json",
              SimpleType.DYN));

  public static final StructType EXEC_OUTPUT =
      struct(
          "vigil.ExecOutput",
          fields(
              "exitCode",
              SimpleType.INT,
              "stdout",
              SimpleType.STRING,
              "stderr",
              SimpleType.STRING));

  public static final StructType SLACK_OUTPUT =
      struct(
          "vigil.SlackOutput",
          fields(
              "channel",
              SimpleType.STRING,
              "channelId",
              SimpleType.STRING,
              "ts",
              SimpleType.STRING));

  public static final StructType PAGERDUTY_OUTPUT =
      struct("vigil.PagerDutyOutput", fields("dedupKey", SimpleType.STRING));

  public static final StructType APPROVAL_OUTPUT =
      struct(
          "vigil.ApprovalOutput",
          fields("decision", SimpleType.STRING, "by", SimpleType.STRING, "at", SimpleType.STRING));

  public static final StructType NO_OUTPUT = struct("vigil.NoOutput", fields());

  /** What {@code steps.<id>} holds: status, attempts, error, and the kind's output. */
  public static StructType stepResult(String kind, CelType output) {
    return struct(
        "vigil.Step." + kind,
        fields(
            "status",
            SimpleType.STRING,
            "attempts",
            SimpleType.INT,
            "error",
            SimpleType.STRING,
            "output",
            output));
  }

  /** A struct whose fields are known up front (field order is kept for messages). */
  public static StructType struct(String name, Map<String, CelType> fields) {
    Map<String, CelType> copy = new LinkedHashMap<>(fields);
    return StructType.create(
        name, ImmutableSet.copyOf(copy.keySet()), f -> Optional.ofNullable(copy.get(f)));
  }

  static Map<String, CelType> fields(Object... kv) {
    Map<String, CelType> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (CelType) kv[i + 1]);
    }
    return m;
  }

  /**
   * A readable type name for messages: {@code string}, {@code map(string, string)}, {@code
   * vigil.Alert}.
   */
  public static String describe(CelType t) {
    if (t instanceof StructType s) {
      return s.name();
    }
    if (t.parameters().isEmpty()) {
      return t.name();
    }
    StringBuilder sb = new StringBuilder(t.name()).append('(');
    for (int i = 0; i < t.parameters().size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(describe(t.parameters().get(i)));
    }
    return sb.append(')').toString();
  }
}
