package dev.vigil.http;

import dev.vigil.config.Durations;
import dev.vigil.stats.Stats;
import dev.vigil.stats.StatsQuery;
import dev.vigil.stats.StatsStore;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * {@code GET /api/v1/stats?since=&team=&severity=}: incident statistics computed from the store.
 */
public final class StatsApi {
  /** The window when {@code since} is not given. */
  static final Duration DEFAULT_WINDOW = Duration.ofDays(7);

  private static final Set<String> PARAMS = Set.of("since", "team", "severity");

  private final StatsStore store;
  private final Clock clock;

  public StatsApi(StatsStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  public void stats(RoutingContext ctx) {
    ctx.queryParams().names().stream()
        .filter(n -> !PARAMS.contains(n))
        .sorted()
        .findFirst()
        .ifPresent(
            n -> {
              throw ApiError.badRequest(
                  n + ": unknown parameter; /api/v1/stats takes since, team and severity");
            });
    Instant now = clock.instant();
    Instant since = IncidentApi.param(ctx, "since", s -> since(s, now));
    String team = IncidentApi.param(ctx, "team", s -> s);
    StatsQuery query =
        new StatsQuery(
            since == null ? now.minus(DEFAULT_WINDOW) : since, team, IncidentApi.severity(ctx));
    store.load(query).map(Stats::of).onSuccess(s -> ctx.json(json(query, s))).onFailure(ctx::fail);
  }

  /**
   * An RFC 3339 instant, or a duration back from now ({@code 24h}, {@code 7d}); not in the future.
   */
  private static Instant since(String s, Instant now) {
    Instant at;
    try {
      at =
          Character.isDigit(s.charAt(0)) && s.contains("T")
              ? Instant.parse(s)
              : now.minus(Durations.parse(s));
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw ApiError.badRequest(
          "since: expected a time like 2026-11-29T00:00:00Z or a duration back from now like 24h or 7d, got \""
              + s
              + "\"");
    }
    if (at.isAfter(now)) {
      throw ApiError.badRequest("since: " + at + " is in the future (now is " + now + ")");
    }
    return at;
  }

  static JsonObject json(StatsQuery q, Stats s) {
    JsonObject pages = new JsonObject();
    s.pagesPerTeam().forEach(pages::put);
    JsonObject runbooks = new JsonObject();
    s.runbooks()
        .forEach(
            (name, t) ->
                runbooks.put(
                    name,
                    new JsonObject()
                        .put("runs", t.finished())
                        .put("succeeded", t.succeeded())
                        .put(
                            "successRate",
                            t.finished() == 0 ? null : (double) t.succeeded() / t.finished())));
    return new JsonObject()
        .put("since", q.since().toString())
        .put("team", q.team())
        .put("severity", q.severity() == null ? null : q.severity().wire())
        .put("incidents", s.incidents())
        .put("mtta", summary(s.mtta()))
        .put("mttr", summary(s.mttr()))
        .put("autoResolved", s.autoResolved())
        .put("autoResolutionRate", s.autoResolutionRate())
        .put("escalated", s.escalated())
        .put("escalationRate", s.escalationRate())
        .put("pagesPerTeam", pages)
        .put("runbooks", runbooks);
  }

  private static JsonObject summary(Stats.Summary m) {
    return new JsonObject()
        .put("count", m.count())
        .put("meanSeconds", Stats.Summary.seconds(m.mean()))
        .put("p50Seconds", Stats.Summary.seconds(m.p50()))
        .put("p90Seconds", Stats.Summary.seconds(m.p90()));
  }
}
