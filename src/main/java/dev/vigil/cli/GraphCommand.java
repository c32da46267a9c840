package dev.vigil.cli;

import dev.vigil.config.ConfigException;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.runbook.RunbookCatalog;
import dev.vigil.runbook.RunbookCheck;
import dev.vigil.runbook.RunbookGraph;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil graph NAME [--format mermaid|dot]}: prints a runbook's step graph. Exit 0, or 1 when
 * there is no valid runbook NAME.
 */
@Command(name = "graph", description = "Print a runbook's step graph (edges are the needs edges).")
public final class GraphCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Parameters(paramLabel = "RUNBOOK", description = "The runbook's name.")
  String name;

  @Option(
      names = "--format",
      defaultValue = "mermaid",
      description = "mermaid or dot (default: ${DEFAULT-VALUE}).")
  RunbookGraph.Format format;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    VigilConfig cfg;
    try {
      cfg = ConfigLoader.fromSystem().load(config.file);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    }
    RunbookCatalog catalog = RunbookCheck.validate(cfg.runbooks(), List.of(), new Problems());
    var entry = catalog.entries().stream().filter(e -> e.name().equals(name)).findFirst();
    if (entry.isPresent() && !entry.get().valid()) {
      entry.get().errors().forEach(spec.commandLine().getErr()::println);
      spec.commandLine().getErr().println("vigil: runbook " + name + " is invalid");
      return 1;
    }
    var rb = catalog.byName(name);
    if (rb.isEmpty()) {
      spec.commandLine()
          .getErr()
          .println(
              "vigil: no runbook named \""
                  + name
                  + "\" in "
                  + cfg.runbooks().dir()
                  + " (runbooks: "
                  + String.join(
                      ", ", catalog.entries().stream().map(RunbookCatalog.Entry::name).toList())
                  + ")");
      return 1;
    }
    spec.commandLine().getOut().print(RunbookGraph.render(rb.get(), format));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
