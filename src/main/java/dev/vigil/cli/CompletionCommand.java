package dev.vigil.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vigil completion}: prints a completion script for bash (zsh loads it too, after {@code
 * autoload -U bashcompinit && bashcompinit}), generated from the command tree itself, so it always
 * matches this version's commands and options.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = "Print a bash/zsh completion script: source <(vigil completion)")
public final class CompletionCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("vigil", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
