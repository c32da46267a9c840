package dev.vigil.cli;

import dev.vigil.classify.Classification;
import dev.vigil.classify.Classifier;
import dev.vigil.config.ConfigException;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.EscalationPreview;
import dev.vigil.escalation.Routing;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Triage;
import dev.vigil.ingest.AlertParser;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.TeamId;
import dev.vigil.runbook.RunbookCatalog;
import dev.vigil.runbook.RunbookCheck;
import dev.vigil.runbook.Selection;
import dev.vigil.runbook.Simulator;
import dev.vigil.web.BadRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil simulate FILE [--at TIME]}: for an Alertmanager webhook or an alert list, prints the
 * classification, the runbook and mode that would apply, and each step's rendered action in graph
 * order. A dry run: nothing is executed. Exit 0, 1 when the file or config cannot be read.
 */
@Command(
    name = "simulate",
    description = "Show what Vigil would do with a webhook or alert list, without doing it.")
public final class SimulateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Parameters(
      paramLabel = "FILE",
      description = "An Alertmanager webhook (JSON object) or alert list (JSON array).")
  Path file;

  @Option(
      names = "--at",
      paramLabel = "TIME",
      description = "As if it arrived at this instant, e.g. 2026-11-29T03:00:00Z (default: now).")
  Instant at;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Classification rules and the team on call (overrides live in the daemon's store and are not
   * read here).
   */
  static Triage triage(Routing routing) {
    return new Classifier(
        routing.classification(),
        new Resolver(routing.teams().schedule(), Clock.systemUTC()),
        List::of);
  }

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    VigilConfig cfg;
    try {
      cfg = ConfigLoader.fromSystem().load(config.file);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 1;
    }
    Instant when = at != null ? at : Clock.systemUTC().instant();
    List<AlertIntake> intakes;
    try {
      byte[] body = Files.readAllBytes(file);
      String first = new String(body, StandardCharsets.UTF_8).stripLeading();
      intakes =
          first.startsWith("[") ? AlertParser.alertList(body, when) : AlertParser.webhook(body);
    } catch (IOException e) {
      err.println("vigil: cannot read " + file + ": " + e.getMessage());
      return 1;
    } catch (BadRequest e) {
      err.println(file + ": " + e.getMessage());
      return 1;
    }
    Problems problems = new Problems();
    RunbookCatalog catalog = RunbookCheck.validate(cfg.runbooks(), List.of(), problems);
    Problems routingProblems = new Problems();
    Routing routing =
        Routing.read(cfg, routingProblems)
            .filter(r -> !routingProblems.hasErrors())
            .orElse(new Routing(Routing.NO_TEAMS, Classification.EMPTY, false, false, ""));
    problems.addAll(routingProblems);
    problems.errors().forEach(p -> err.println("warning: not simulated: " + p));
    err.flush();
    var out = spec.commandLine().getOut();
    List<Simulator.Plan> plans = new Simulator(catalog, triage(routing)).simulate(intakes, when);
    out.print(Simulator.format(plans, when, plan -> escalation(plan, routing, when)));
    out.flush();
    return 0;
  }

  /**
   * Who would be paged at each level of the incident's policy, and when, if nobody acknowledged.
   */
  static String escalation(Simulator.Plan plan, Routing routing, Instant when) {
    StringBuilder sb = new StringBuilder("escalation: ");
    Triage.Outcome c = plan.classification();
    if (!routing.teamsConfigured()) {
      return sb.append("not configured (no teams file): nobody is paged\n").toString();
    }
    if (c.drop()) {
      return sb.append("none: the classification rule drops it (recorded only)\n").toString();
    }
    List<EscalationPreview.Step> steps =
        EscalationPreview.of(routing.teams(), c.severity(), when, List.of());
    if (steps.isEmpty()) {
      return sb.append("none: severity ")
          .append(c.severity().wire())
          .append(" is recorded only (escalation.bySeverity)\n")
          .toString();
    }
    // as the daemon decides (Engine.willHandle; a tripped rollout guard is not known here)
    boolean held =
        plan.selection().filter(Selection::holdsEscalation).isPresent()
            && !routing.teams().escalation().pagesDuringRunbook(c.severity());
    sb.append(held ? "only if the runbook fails (times below as if it failed at once)" : "at once")
        .append(", if nobody acknowledges:\n");
    for (EscalationPreview.Step s : steps) {
      sb.append("  ")
          .append(s.level())
          .append(" at ")
          .append(s.at())
          .append(" (notify ")
          .append(s.target())
          .append("): ");
      if (s.skipped() != null) {
        sb.append("skipped, ").append(s.skipped());
      } else {
        sb.append(String.join(", ", s.teams().stream().map(TeamId::value).toList()))
            .append(" via ")
            .append(String.join(", ", s.channels()));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
