package dev.vigil;

import dev.vigil.cli.BackupCommand;
import dev.vigil.cli.GraphCommand;
import dev.vigil.cli.OncallCommand;
import dev.vigil.cli.ServeCommand;
import dev.vigil.cli.SimulateCommand;
import dev.vigil.cli.ValidateCommand;
import dev.vigil.cli.VersionCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vigil} command line: serve, validate, graph, simulate, oncall, backup, version. Exit codes follow docs/cli.md. */
@Command(name = "vigil",
    description = "Incident-response automation: Alertmanager webhooks in, runbooks and escalation out.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    subcommands = {ServeCommand.class, ValidateCommand.class, GraphCommand.class, SimulateCommand.class, OncallCommand.class, BackupCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'vigil serve' or 'vigil --help'");
  }

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("serve")) {
      System.setProperty("vigil.log.level", "WARN"); // before any logger exists: CLI output stays readable
    }
    System.exit(run(args));
  }

  /** Runs one command and returns its exit code (0 ok, 1 failed or invalid, 2 usage). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("vigil: " + e.getMessage());
      return 1;
    });
    // picocli leaves the usage out when it can suggest a near command ("VALIDATE"); a person wants both
    cli.setParameterExceptionHandler((e, given) -> {
      CommandLine cmd = e.getCommandLine();
      cmd.getErr().println(e.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
      cmd.usage(cmd.getErr());
      return cmd.getCommandSpec().exitCodeOnInvalidInput();
    });
    return cli.execute(args);
  }
}
