package dev.vigil.http;

import dev.vigil.config.Durations;
import dev.vigil.escalation.EscalationException;
import dev.vigil.escalation.EscalationState;
import dev.vigil.escalation.Escalator;
import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.OnCall;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/oncall}, {@code /api/v1/overrides} and {@code /api/v1/incidents/{id}/escalate}.
 */
public final class OncallApi {
  private final Resolver resolver;
  private final Overrides overrides;
  private final Escalator escalator;
  private final Clock clock;

  public OncallApi(Resolver resolver, Overrides overrides, Escalator escalator, Clock clock) {
    this.resolver = resolver;
    this.overrides = overrides;
    this.escalator = escalator;
    this.clock = clock;
  }

  /**
   * {@code GET /api/v1/oncall?at=}: who is on call at {@code at} (default now) and the next
   * handoff.
   */
  public void oncall(RoutingContext ctx) {
    String raw = ctx.queryParams().get("at");
    Instant at = raw == null || raw.isEmpty() ? clock.instant() : instant("at", raw);
    overrides
        .refresh()
        .onSuccess(list -> ctx.json(json(resolver.at(at, list))))
        .onFailure(ctx::fail);
  }

  /** {@code GET /api/v1/overrides}: overrides not yet expired. */
  public void listOverrides(RoutingContext ctx) {
    overrides
        .refresh()
        .onSuccess(
            list -> {
              JsonArray out = new JsonArray();
              list.forEach(o -> out.add(json(o)));
              ctx.json(new JsonObject().put("overrides", out));
            })
        .onFailure(ctx::fail);
  }

  /**
   * {@code POST /api/v1/overrides} with {@code {"team": "eu", "duration": "2h"}} (from now) or
   * {@code {"team": "eu", "from": "...", "until": "..."}}, plus optional {@code by} and {@code
   * reason}.
   */
  public void addOverride(RoutingContext ctx) {
    JsonObject body = stringFields(ctx, "team", "duration", "from", "until", "by", "reason");
    NewOverride o = newOverride(body::getString, resolver, clock.instant());
    overrides
        .add(o.team(), o.from(), o.until(), body.getString("by", "api"), o.reason())
        .onSuccess(
            added ->
                ctx.response()
                    .setStatusCode(201)
                    .putHeader("Content-Type", "application/json")
                    .end(json(added).encode()))
        .onFailure(ctx::fail);
  }

  /** An override asked for, checked: a known team, and a start before its end, 90 days at most. */
  public record NewOverride(TeamId team, Instant from, Instant until, String reason) {}

  /**
   * Reads and checks an override from its fields ({@code team}, {@code duration} from now or {@code
   * from}/{@code until}, {@code reason}), as the API and the console take it; a 400 ({@link
   * HttpException}) names the field that is wrong.
   */
  public static NewOverride newOverride(
      Function<String, String> field, Resolver resolver, Instant now) {
    String team = blankToNull(field.apply("team"));
    if (team == null) {
      throw ApiError.badRequest("team: required, one of " + teams(resolver));
    }
    if (resolver.schedule().team(new TeamId(team)).isEmpty()) {
      throw ApiError.badRequest(
          "team: unknown team \"" + team + "\"; teams are " + teams(resolver));
    }
    String fromRaw = field.apply("from");
    String untilRaw = field.apply("until");
    String duration = field.apply("duration");
    Instant from = fromRaw == null ? now : instant("from", fromRaw);
    Instant until;
    if (untilRaw != null) {
      until = instant("until", untilRaw);
    } else if (duration != null) {
      try {
        until = from.plus(Durations.parse(duration));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("duration: " + e.getMessage());
      }
    } else {
      throw ApiError.badRequest(
          "duration or until: required, e.g. {\"team\": \"" + team + "\", \"duration\": \"2h\"}");
    }
    if (!until.isAfter(from)) {
      throw ApiError.badRequest("until: the override must end after it starts (" + from + ")");
    }
    if (Duration.between(from, until).compareTo(Duration.ofDays(90)) > 0) {
      throw ApiError.badRequest(
          "until: an override may last at most 90 days; change teams.yaml for longer");
    }
    String reason = field.apply("reason");
    return new NewOverride(new TeamId(team), from, until, reason == null ? "" : reason);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** {@code DELETE /api/v1/overrides/{id}}: 204, or 404 when there is no such override. */
  public void deleteOverride(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    long id;
    try {
      id = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw ApiError.notFound("override " + raw + " does not exist (ids are numbers)");
    }
    overrides
        .remove(id)
        .onSuccess(
            found -> {
              if (found) {
                ctx.response().setStatusCode(204).end();
              } else {
                ctx.fail(ApiError.notFound("override " + id + " does not exist"));
              }
            })
        .onFailure(ctx::fail);
  }

  /**
   * {@code POST /api/v1/incidents/{id}/escalate}: pages the next level now. 409 when no level is
   * left.
   */
  public void escalate(RoutingContext ctx) {
    IncidentId id = IncidentApi.id(ctx);
    JsonObject body = IncidentApi.body(ctx);
    String by = body.getString("by", "api");
    escalator
        .escalateNow(id, by)
        .onSuccess(s -> ctx.json(json(s)))
        .onFailure(
            e ->
                ctx.fail(
                    e instanceof EscalationException ? new HttpException(409, e.getMessage()) : e));
  }

  /** A JSON object body whose given fields, when present, are strings. */
  private static JsonObject stringFields(RoutingContext ctx, String... fields) {
    JsonObject body = IncidentApi.object(ctx, "{\"team\": \"eu\", \"duration\": \"2h\"}");
    for (String f : fields) {
      Object v = body.getValue(f);
      if (v != null && !(v instanceof String)) {
        throw ApiError.badRequest(f + ": expected a string");
      }
    }
    return body;
  }

  private static String teams(Resolver resolver) {
    return resolver.schedule().teams().stream()
        .map(Team::id)
        .map(TeamId::value)
        .collect(Collectors.joining(", "));
  }

  private static Instant instant(String field, String raw) {
    Instant t;
    try {
      t = Instant.parse(raw);
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest(
          field
              + ": expected an RFC 3339 UTC instant like 2026-11-29T03:00:00Z, got \""
              + abbreviate(raw)
              + "\"");
    }
    if (!Resolver.covers(t)) {
      throw ApiError.badRequest(
          field + ": " + abbreviate(raw) + " is outside the supported range (years 0000 to 9999)");
    }
    return t;
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  static JsonObject json(OnCall oc) {
    JsonObject out =
        new JsonObject()
            .put("at", oc.at().toString())
            .put("active", new JsonArray(oc.active().stream().map(TeamId::value).toList()))
            .put("fallback", oc.fallback());
    oc.override().ifPresent(o -> out.put("override", json(o)));
    out.put(
        "next",
        oc.next()
            .map(h -> new JsonObject().put("team", h.team().value()).put("at", h.at().toString()))
            .orElse(null));
    return out;
  }

  static JsonObject json(ScheduleOverride o) {
    return new JsonObject()
        .put("id", o.id())
        .put("team", o.team().value())
        .put("from", o.from().toString())
        .put("until", o.until().toString())
        .put("by", o.by())
        .put("reason", o.reason())
        .put("createdAt", o.createdAt().toString());
  }

  static JsonObject json(EscalationState s) {
    return new JsonObject()
        .put("incident", s.incident().toString())
        .put("policy", s.policy())
        .put("step", s.step())
        .put("status", s.status().wire())
        .put("dueAt", s.dueAt() == null ? null : s.dueAt().toString());
  }
}
