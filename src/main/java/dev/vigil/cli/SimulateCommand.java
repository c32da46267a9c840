package dev.vigil.cli;

import dev.vigil.classify.LabelTriage;
import dev.vigil.classify.Triage;
import dev.vigil.config.ConfigException;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.AlertIntake;
import dev.vigil.ingest.AlertParser;
import dev.vigil.ingest.BadRequest;
import dev.vigil.runbook.RunbookCatalog;
import dev.vigil.runbook.RunbookCheck;
import dev.vigil.runbook.Simulator;
import java.io.IOException;
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
@Command(name = "simulate", description = "Show what Vigil would do with a webhook or alert list, without doing it.")
public final class SimulateCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;

  @Parameters(paramLabel = "FILE", description = "An Alertmanager webhook (JSON object) or alert list (JSON array).")
  Path file;

  @Option(names = "--at", paramLabel = "TIME", description = "As if it arrived at this instant, e.g. 2026-11-29T03:00:00Z (default: now).")
  Instant at;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Classification is label-based until classification rules are configured; replace here when they are. */
  static Triage triage(VigilConfig cfg) {
    return new LabelTriage();
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
      String first = new String(body, java.nio.charset.StandardCharsets.UTF_8).stripLeading();
      intakes = first.startsWith("[") ? AlertParser.alertList(body, when) : AlertParser.webhook(body);
    } catch (IOException e) {
      err.println("vigil: cannot read " + file + ": " + e.getMessage());
      return 1;
    } catch (BadRequest e) {
      err.println(file + ": " + e.getMessage());
      return 1;
    }
    Problems problems = new Problems();
    RunbookCatalog catalog = RunbookCheck.validate(cfg.runbooks(), List.of(), problems);
    problems.errors().forEach(p -> err.println("warning: not simulated: " + p));
    err.flush();
    var out = spec.commandLine().getOut();
    out.print(Simulator.format(new Simulator(catalog, triage(cfg)).simulate(intakes, when), when));
    out.flush();
    return 0;
  }
}
