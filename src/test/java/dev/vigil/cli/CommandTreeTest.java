package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What every command answers whatever it does: --help, --version, and the completion script that
 * covers them all.
 */
class CommandTreeTest {
  record Run(int code, String out, String err) {}

  static Run vigil(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), Map.of(), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Every command path, e.g. [serve], [incidents, list]. */
  static List<List<String>> paths() {
    List<List<String>> out = new ArrayList<>();
    collect(Main.commandLine(Map.of()), new ArrayList<>(), out);
    return out;
  }

  private static void collect(CommandLine c, List<String> prefix, List<List<String>> out) {
    for (var e : c.getSubcommands().entrySet()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(e.getKey());
      out.add(path);
      collect(e.getValue(), path, out);
    }
  }

  @Test
  void everyCommandAnswersHelpWithExit0() {
    List<List<String>> paths = paths();
    assertThat(paths)
        .contains(
            List.of("serve"),
            List.of("incidents", "note"),
            List.of("runs", "cancel"),
            List.of("overrides", "remove"),
            List.of("completion"),
            List.of("version"));
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Run r = vigil(args.toArray(String[]::new));
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
      assertThat(r.out())
          .as(String.join(" ", args))
          .contains("Usage: vigil " + String.join(" ", path));
      assertThat(r.err()).isEmpty();
    }
  }

  @Test
  void serveHelpIsUsageNotAnUnknownOption() {
    Run r = vigil("serve", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .startsWith("Usage: vigil serve [-hV] [--config=FILE]")
        .contains("Run the daemon.");
    assertThat(vigil("serve", "-h").code()).isZero();
  }

  @Test
  void everyCommandAnswersVersionWithTheRootsVersion() {
    assertThat(vigil("--version").out()).startsWith("vigil ");
    assertThat(vigil("runs", "show", "--version").out()).isEqualTo(vigil("--version").out());
  }

  @Test
  void versionTakesConfigLikeTheOtherOfflineCommandsAndDoesNotReadIt() {
    Run r = vigil("version", "--config", "no/such/vigil.yaml");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("vigil ").contains("Java");
  }

  @Test
  void aGroupWithoutItsSubcommandIsAUsageError() {
    Run r = vigil("incidents");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("Missing required subcommand")
        .contains("Usage: vigil incidents");
  }

  @Test
  void completionPrintsABashScriptForEveryCommand() {
    Run r = vigil("completion");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .startsWith("#!/usr/bin/env bash")
        .contains(
            "complete -F _complete_vigil", "incidents", "overrides", "--token-file", "--watch");
    for (List<String> path : paths()) {
      assertThat(r.out()).as(String.join(" ", path)).contains(path.get(path.size() - 1));
    }
  }
}
