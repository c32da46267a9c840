package dev.vigil.cli;

import dev.vigil.config.ConfigLoader;
import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import dev.vigil.escalation.Routing;
import dev.vigil.runbook.RunbookCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil validate [PATH...]}: checks the config, every file it names, the runbook directory
 * and any runbook files or folders given, offline, and prints each problem as {@code file:line:col:
 * message}. Exit 0 when valid (warnings allowed), 1 when not, 2 on a usage error.
 */
@Command(
    name = "validate",
    description =
        "Check the config, the files it names and the runbooks without starting the daemon.")
public final class ValidateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Parameters(
      paramLabel = "PATH",
      arity = "0..*",
      description = "More runbook files or folders to check (runbooks.dir is always checked).")
  List<Path> paths = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Problems problems = new Problems();
    ConfigLoader.fromSystem()
        .read(config.file, problems)
        .ifPresent(
            cfg -> {
              RunbookCheck.validate(cfg.runbooks(), paths, problems);
              Routing.read(cfg, problems)
                  .ifPresent(routing -> routing.lint(Clock.systemUTC().instant(), problems));
            });
    return report(problems, spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** Prints problems (errors to stderr, then a summary) and returns the exit code. */
  static int report(Problems problems, PrintWriter out, PrintWriter err) {
    List<Problem> all = problems.sorted();
    all.forEach(p -> (p.isError() ? err : out).println(p));
    long errors = all.stream().filter(Problem::isError).count();
    long warnings = all.size() - errors;
    if (errors > 0) {
      err.println(
          "invalid: "
              + errors
              + " error"
              + (errors == 1 ? "" : "s")
              + (warnings > 0 ? ", " + warnings + " warning" + (warnings == 1 ? "" : "s") : ""));
      err.flush();
      return 1;
    }
    out.println(
        "valid"
            + (warnings > 0
                ? " (" + warnings + " warning" + (warnings == 1 ? "" : "s") + ")"
                : ""));
    out.flush();
    return 0;
  }
}
