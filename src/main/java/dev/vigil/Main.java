package dev.vigil;

import dev.vigil.cli.BackupCommand;
import dev.vigil.cli.CompletionCommand;
import dev.vigil.cli.Environment;
import dev.vigil.cli.GraphCommand;
import dev.vigil.cli.IncidentsCommand;
import dev.vigil.cli.OncallCommand;
import dev.vigil.cli.OverridesCommand;
import dev.vigil.cli.RunsCommand;
import dev.vigil.cli.SimulateCommand;
import dev.vigil.cli.ValidateCommand;
import dev.vigil.cli.VersionCommand;
import dev.vigil.client.ClientException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vigil} command line: the daemon ({@code serve}), the offline tools (validate, graph,
 * simulate, oncall, backup, version), the client of a running daemon's HTTP API (incidents, runs,
 * overrides) and {@code completion}. Exit codes follow docs/cli.md: 0 ok, 1 failed or refused, 2
 * usage, 3 server unreachable.
 */
@Command(
    name = "vigil",
    description =
        "Incident-response automation: Alertmanager webhooks in, runbooks and escalation out.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    subcommands = {
      ServeCommand.class,
      ValidateCommand.class,
      GraphCommand.class,
      SimulateCommand.class,
      OncallCommand.class,
      BackupCommand.class,
      IncidentsCommand.class,
      RunsCommand.class,
      OverridesCommand.class,
      CompletionCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable, Environment {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;

  private Main(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String variable(String name) {
    return env.get(name);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command: try 'vigil serve' or 'vigil --help'");
  }

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("serve")) {
      System.setProperty(
          "vigil.log.level", "WARN"); // before any logger exists: CLI output stays readable
    }
    System.exit(run(args));
  }

  /** Runs one command with this process's output and environment and returns its exit code. */
  public static int run(String... args) {
    return run(
        new PrintWriter(System.out, true),
        new PrintWriter(System.err, true),
        System.getenv(),
        args);
  }

  /**
   * Runs one command, printing to {@code out} and {@code err}, with {@code env} as its environment
   * variables, and returns its exit code (0 ok, 1 failed or refused, 2 usage, 3 server
   * unreachable).
   */
  public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
    CommandLine cli = commandLine(env);
    cli.setOut(out);
    cli.setErr(err);
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * The command tree with its exception handlers; {@code vigil completion} and the tests walk it.
   */
  public static CommandLine commandLine(Map<String, String> env) {
    CommandLine cli = new CommandLine(new Main(env));
    // every command answers --help and --version (with the root's version), including a command
    // class added without
    // them; a command method must say mixinStandardHelpOptions itself (a mixin added here would
    // shift its arguments)
    CommandLine.IVersionProvider version = new VersionCommand.Provider();
    forEach(
        cli,
        c -> {
          if (!c.getCommandSpec().mixinStandardHelpOptions()) {
            c.getCommandSpec().mixinStandardHelpOptions(true);
          }
          c.getCommandSpec().versionProvider(version);
        });
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // a client error is one line with the server's message; its exit code says refused (1) or
          // unreachable (3)
          cmd.getErr().println("vigil: " + e.getMessage());
          return e instanceof ClientException ce ? ce.exitCode() : 1;
        });
    // picocli leaves the usage out when it can suggest a near command ("VALIDATE"); a person wants
    // both
    cli.setParameterExceptionHandler(
        (e, given) -> {
          CommandLine cmd = e.getCommandLine();
          cmd.getErr().println(e.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
          cmd.usage(cmd.getErr());
          return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
    return cli;
  }

  /** {@code c} and every command below it. */
  public static void forEach(CommandLine c, Consumer<CommandLine> action) {
    action.accept(c);
    c.getSubcommands().values().forEach(sub -> forEach(sub, action));
  }
}
