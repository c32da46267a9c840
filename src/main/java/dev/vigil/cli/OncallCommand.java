package dev.vigil.cli;

import dev.vigil.config.ConfigLoader;
import dev.vigil.config.Durations;
import dev.vigil.config.Problems;
import dev.vigil.escalation.Routing;
import dev.vigil.oncall.OnCall;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vigil oncall [--at INSTANT]}: who is on call at that instant (default now) by teams.yaml,
 * and the next handoff. Offline: overrides live in the daemon's store and are not read here ({@code
 * GET /api/v1/oncall} includes them).
 */
@Command(
    name = "oncall",
    description = "Who is on call at an instant (default now) and when the next handoff is.")
public final class OncallCommand implements Callable<Integer> {
  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("EEE HH:mm", Locale.ROOT);

  @Mixin ConfigOption config;

  @Option(
      names = "--at",
      paramLabel = "INSTANT",
      converter = InstantConverter.class,
      description = "An RFC 3339 UTC instant, e.g. 2026-11-29T03:00:00Z (default: now).")
  Instant at;

  @Option(
      names = "--format",
      paramLabel = "text|json",
      defaultValue = "text",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  String format;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "expected an RFC 3339 UTC instant like 2026-11-29T03:00:00Z, got \"" + value + "\"");
      }
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!format.equals("text") && !format.equals("json")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--format: expected text or json, got \"" + format + "\"");
    }
    Problems problems = new Problems();
    Optional<Routing> routing =
        ConfigLoader.fromSystem()
            .read(config.file, problems)
            .flatMap(cfg -> Routing.read(cfg, problems));
    if (problems.hasErrors() || routing.isEmpty()) {
      return ValidateCommand.report(problems, out, err);
    }
    if (!routing.get().teamsConfigured()) {
      err.println("vigil: no teams file (" + routing.get().teamsLabel() + "): nobody is on call");
      err.flush();
      return 1;
    }
    Clock clock = Clock.systemUTC();
    Instant t = at == null ? clock.instant() : at;
    Resolver resolver = new Resolver(routing.get().teams().schedule(), clock);
    OnCall oc = resolver.at(t, List.of());
    if (format.equals("json")) {
      JsonObject json =
          new JsonObject()
              .put("at", t.toString())
              .put("active", new JsonArray(oc.active().stream().map(TeamId::value).toList()))
              .put("fallback", oc.fallback())
              .put(
                  "next",
                  oc.next()
                      .map(
                          h ->
                              new JsonObject()
                                  .put("team", h.team().value())
                                  .put("at", h.at().toString()))
                      .orElse(null));
      out.println(json.encode());
    } else {
      String who =
          oc.active().isEmpty()
              ? "nobody (no window covers it and there is no fallbackTeam)"
              : String.join(
                      ", ", oc.active().stream().map(id -> describe(resolver, id, t)).toList())
                  + (oc.fallback() ? " — fallback: no window covers this instant" : "");
      out.println(t + ": " + who);
      out.println(
          oc.next()
              .map(
                  h ->
                      "next handoff: "
                          + describe(resolver, h.team(), h.at())
                          + " at "
                          + h.at()
                          + " (in "
                          + Durations.format(Duration.between(t, h.at()).withNanos(0))
                          + ")")
              .orElse("next handoff: none in the next " + Resolver.LOOK_AHEAD.toDays() + " days"));
      out.println(
          "(from "
              + routing.get().teamsLabel()
              + "; overrides are kept by the daemon: GET /api/v1/oncall includes them)");
    }
    out.flush();
    return 0;
  }

  private static String describe(Resolver resolver, TeamId id, Instant t) {
    Optional<Team> team = resolver.schedule().team(id);
    if (team.isEmpty()) {
      return id.value();
    }
    ZonedDateTime local = t.atZone(team.get().timezone());
    return id.value() + " (" + team.get().timezone().getId() + " " + LOCAL.format(local) + ")";
  }
}
