package dev.vigil.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.cli.CliTest;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random command lines for every offline command ({@code serve} is left out: it would start a
 * daemon on the shipped config's port). Each ends with exit 0, 1 (the input is invalid, said on
 * stderr) or 2 (usage, with the usage text), and never with a stack trace.
 */
class CliFuzzTest {
  @Provide
  Arbitrary<List<String>> commandLines() {
    Arbitrary<String> command =
        Arbitraries.oneOf(
            Arbitraries.of(
                "validate",
                "graph",
                "simulate",
                "oncall",
                "version",
                "help",
                "--help",
                "-V",
                "--version",
                "VALIDATE",
                "",
                "-",
                "--"),
            Arbitraries.strings().all().ofMaxLength(8).filter(s -> !s.equals("serve")));
    Arbitrary<String> arg =
        Arbitraries.oneOf(
            Arbitraries.of(
                "--config",
                "--config=",
                "--at",
                "--at=tomorrow",
                "--format",
                "--format=dot",
                "mermaid",
                "dot",
                "json",
                "xml",
                "config/vigil.yaml",
                "runbooks",
                "runbooks/disk-almost-full.yaml",
                "src/test/resources/simulate/disk-webhook.json",
                "pom.xml",
                "/dev/null",
                "/",
                "/nonexistent/x.yaml",
                "src",
                "2026-11-29T03:00:00Z",
                "+999999999-12-31T23:59:59Z",
                "disk-almost-full",
                "-x",
                "--nope",
                "--help",
                "\u0000",
                "%s%n",
                "${env:HOME}",
                "$(id)"),
            Arbitraries.strings().all().ofMaxLength(12));
    return Combinators.combine(command, arg.list().ofMaxSize(4))
        .as(
            (c, args) -> {
              List<String> all = new ArrayList<>();
              all.add(c);
              all.addAll(args);
              return all;
            });
  }

  @Property(
      tries = 100,
      seed = "42") // validate lints eight weeks of coverage each time: the slowest target per try
  void everyCommandLineEndsWithAnExitCodeAndNoStackTrace(
      @ForAll("commandLines") List<String> args) {
    CliTest.Run r = CliTest.run(args.toArray(String[]::new));
    assertThat(r.code()).as(args + "\n" + r.err()).isIn(0, 1, 2);
    assertThat(r.err()).as(args.toString()).doesNotContain("\tat ").doesNotContain("Exception");
    if (r.code() == 2) {
      assertThat(r.err()).as(args.toString()).contains("Usage: vigil");
    }
    if (r.code() == 1) {
      assertThat(r.err()).as(args.toString()).isNotBlank();
    }
  }

  @Example
  void aBadOptionValueNamesTheOptionAndShowsUsage() {
    CliTest.Run r = CliTest.run("oncall", "--at", "tomorrow");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--at").contains("tomorrow").contains("Usage: vigil oncall");
  }
}
