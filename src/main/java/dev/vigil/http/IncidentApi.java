package dev.vigil.http;

import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.Severity;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.web.BadRequest;
import dev.vigil.web.JsonBody;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** {@code /api/v1/incidents}: list, show, acknowledge, resolve, notes. */
public final class IncidentApi {
  private final IncidentReads reads;
  private final IncidentStore store;
  private final Clock clock;

  /**
   * @param reads what the answers show (the console reads through the same)
   * @param store where acknowledgements, resolutions and notes go
   */
  public IncidentApi(IncidentReads reads, IncidentStore store, Clock clock) {
    this.reads = reads;
    this.store = store;
    this.clock = clock;
  }

  public void list(RoutingContext ctx) {
    IncidentStatus status =
        param(
            ctx,
            "status",
            s ->
                IncidentStatus.parse(s)
                    .orElseThrow(
                        () ->
                            ApiError.badRequest(
                                "status: expected triggered, acknowledged or resolved, got \""
                                    + s
                                    + "\"")));
    Severity severity = severity(ctx);
    String team = ctx.queryParams().get("team");
    Integer limit = param(ctx, "limit", IncidentApi::limit);
    reads
        .list(
            new IncidentQuery(
                status,
                team == null || team.isEmpty() ? null : team,
                severity,
                limit == null ? 50 : limit))
        .onSuccess(
            list -> {
              JsonArray out = new JsonArray();
              list.forEach(i -> out.add(summary(i)));
              ctx.json(new JsonObject().put("incidents", out));
            })
        .onFailure(ctx::fail);
  }

  public void show(RoutingContext ctx) {
    IncidentId id = id(ctx);
    reads
        .detail(id)
        .map(
            found -> {
              IncidentReads.Detail d =
                  found.orElseThrow(() -> ApiError.notFound("incident " + id + " does not exist"));
              return detail(
                  d.incident(),
                  d.alerts(),
                  d.timeline(),
                  d.runs().stream().map(RunApi::summary).toList());
            })
        .onSuccess(ctx::json)
        .onFailure(ctx::fail);
  }

  public void acknowledge(RoutingContext ctx) {
    JsonObject body = body(ctx);
    store
        .acknowledge(id(ctx), by(body), body.getString("text", ""), clock.instant())
        .onSuccess(i -> ctx.json(summary(i)))
        .onFailure(ctx::fail);
  }

  public void resolve(RoutingContext ctx) {
    JsonObject body = body(ctx);
    store
        .resolve(id(ctx), by(body), body.getString("text", ""), clock.instant())
        .onSuccess(i -> ctx.json(summary(i)))
        .onFailure(ctx::fail);
  }

  public void note(RoutingContext ctx) {
    JsonObject body = body(ctx);
    String text = body.getString("text");
    if (text == null || text.isBlank()) {
      throw ApiError.badRequest("text: required, the note itself");
    }
    store
        .append(id(ctx), new TimelineEvent(clock.instant(), "note", by(body), text))
        .onSuccess(
            e ->
                ctx.response()
                    .setStatusCode(201)
                    .putHeader("Content-Type", "application/json")
                    .end(event(e).encode()))
        .onFailure(ctx::fail);
  }

  static IncidentId id(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    return IncidentId.parse(raw)
        .orElseThrow(
            () -> ApiError.notFound("incident " + raw + " does not exist (ids look like INC-42)"));
  }

  /**
   * The JSON body of an action; an empty body means no fields. Fields must have the right types.
   */
  static JsonObject body(RoutingContext ctx) {
    JsonObject body = object(ctx, "{\"by\": \"alice\", \"text\": \"...\"}");
    for (String field : List.of("by", "text")) {
      Object v = body.getValue(field);
      if (v != null && !(v instanceof String)) {
        throw ApiError.badRequest(field + ": expected a string");
      }
    }
    return body;
  }

  /**
   * The body as a JSON object, read strictly ({@link JsonBody}: one document, valid UTF-8); an
   * empty or blank body means no fields. {@code example} shows the expected shape in the 400
   * answer.
   */
  static JsonObject object(RoutingContext ctx, String example) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0 || raw.toString(StandardCharsets.ISO_8859_1).isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(JsonBody.object(raw.getBytes(), example));
    } catch (BadRequest e) {
      throw ApiError.badRequest(e.getMessage());
    }
  }

  private static String by(JsonObject body) {
    String by = body.getString("by");
    return by == null || by.isBlank() ? "api" : by.length() > 200 ? by.substring(0, 200) : by;
  }

  /** The {@code limit} query parameter's value: 1 to 1000, else a 400. */
  static int limit(String s) {
    try {
      int n = Integer.parseInt(s);
      if (n >= 1 && n <= 1000) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ApiError.badRequest("limit: expected a whole number from 1 to 1000, got \"" + s + "\"");
  }

  /** The {@code severity} query parameter, or null; 400 when it names no severity. */
  static Severity severity(RoutingContext ctx) {
    return param(
        ctx,
        "severity",
        s ->
            Severity.parse(s)
                .orElseThrow(
                    () ->
                        ApiError.badRequest(
                            "severity: expected one of "
                                + String.join(", ", Severity.NAMES)
                                + ", got \""
                                + s
                                + "\"")));
  }

  /** A query parameter parsed by {@code parse}, or null when absent or empty. */
  static <T> T param(RoutingContext ctx, String name, Function<String, T> parse) {
    String v = ctx.queryParams().get(name);
    return v == null || v.isEmpty() ? null : parse.apply(v);
  }

  public static JsonObject summary(Incident i) {
    return new JsonObject()
        .put("id", i.id().toString())
        .put("status", i.status().wire())
        .put("severity", i.severity().wire())
        .put("type", i.type())
        .put("team", i.team())
        .put("title", i.title())
        .put("alertCount", i.alertCount())
        .put("firingCount", i.firingCount())
        .put("openedAt", time(i.openedAt()))
        .put("acknowledgedAt", time(i.acknowledgedAt()))
        .put("acknowledgedBy", i.acknowledgedBy())
        .put("resolvedAt", time(i.resolvedAt()))
        .put("resolvedBy", i.resolvedBy());
  }

  static JsonObject detail(
      Incident i, List<StoredAlert> alerts, List<TimelineEvent> timeline, List<JsonObject> runs) {
    JsonArray as = new JsonArray();
    for (StoredAlert sa : alerts) {
      as.add(
          new JsonObject()
              .put("fingerprint", sa.alert().fingerprint())
              .put("status", sa.alert().status().wire())
              .put("labels", new JsonObject(Map.copyOf(sa.alert().labels())))
              .put("annotations", new JsonObject(Map.copyOf(sa.alert().annotations())))
              .put("startsAt", sa.alert().startsAt().toString())
              .put("endsAt", time(sa.alert().endsAt()))
              .put("generatorURL", sa.alert().generatorUrl())
              .put("receivedAt", time(sa.receivedAt())));
    }
    JsonArray tl = new JsonArray();
    timeline.forEach(e -> tl.add(event(e)));
    return summary(i)
        .put("groupKey", i.groupKey())
        .put("labels", new JsonObject(Map.copyOf(i.labels())))
        .put("alerts", as)
        .put("runs", new JsonArray(new ArrayList<>(runs)))
        .put("timeline", tl);
  }

  static JsonObject event(TimelineEvent e) {
    return new JsonObject()
        .put("at", time(e.at()))
        .put("kind", e.kind())
        .put("by", e.by())
        .put("text", e.text());
  }

  static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
