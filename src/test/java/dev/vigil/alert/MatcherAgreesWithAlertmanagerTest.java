package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rows of {@link MatcherAlertmanagerTableTest} put to the real Alertmanager (Debian's {@code
 * amtool}, the same release as {@code prometheus-alertmanager}): each entry is written into an
 * {@code alertmanager.yml} route's {@code matchers:}, which {@code amtool check-config} accepts
 * exactly when Vigil does, and {@code amtool config routes test} routes each value as Vigil's
 * matcher answers. The few rows where Vigil is stricter on purpose are listed (ADR 0137).
 */
class MatcherAgreesWithAlertmanagerTest {
  static final Path AMTOOL = Path.of("/usr/bin/amtool");

  /** Entries Vigil refuses and Alertmanager accepts, on purpose (ADR 0137). */
  static final Set<String> STRICTER =
      Set.of(
          "{}", // no matcher: Alertmanager's empty list matches everything
          "job="); // Alertmanager 0.25 reads job=""; later releases refuse it, as Vigil does

  @TempDir static Path dir;

  @BeforeAll
  static void amtoolIsInstalled() {
    assumeTrue(
        Files.isExecutable(AMTOOL), "amtool is not installed (Debian: prometheus-alertmanager)");
  }

  static Stream<Arguments> entries() {
    return Stream.concat(
        MatcherAlertmanagerTableTest.parses().map(a -> Arguments.of(a.get()[0], true)),
        MatcherAlertmanagerTableTest.refusals().map(a -> Arguments.of(a.get()[0], false)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("entries")
  void alertmanagerAcceptsWhatVigilAccepts(String entry, boolean vigilAccepts) throws Exception {
    Path config = config(entry);
    Result r = amtool("check-config", config.toString());
    boolean alertmanagerAccepts = r.code == 0;
    if (STRICTER.contains(entry)) {
      assertThat(alertmanagerAccepts)
          .as("Alertmanager accepts %s, Vigil does not: %s", entry, r.out)
          .isTrue();
      assertThat(vigilAccepts).isFalse();
    } else {
      assertThat(alertmanagerAccepts)
          .as("amtool check-config on %s: %s", entry, r.out)
          .isEqualTo(vigilAccepts);
    }
  }

  @ParameterizedTest(name = "[{index}] {0} on {1}")
  @MethodSource("dev.vigil.alert.MatcherAlertmanagerTableTest#matches")
  void alertmanagerRoutesAsVigilMatches(String matcher, String value, boolean vigilMatches)
      throws Exception {
    Path config = config(matcher);
    Result r =
        amtool(
            "config",
            "routes",
            "test",
            "--config.file=" + config,
            "x=" + Matcher.of("x", Matcher.Op.EQ, value).toString().substring(2));
    assertThat(r.code).as(r.out).isZero();
    assertThat(r.out.strip())
        .as("%s on \"%s\"", matcher, value)
        .isEqualTo(vigilMatches ? "hit" : "none");
  }

  private static Path config(String entry) throws IOException {
    Path f = Files.createTempFile(dir, "alertmanager", ".yml");
    // the entry as a YAML double-quoted string, so any character survives
    String yamlString =
        "\"" + entry.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    Files.writeString(
        f,
        String.join(
            "\n",
            "route:",
            "  receiver: none",
            "  routes:",
            "    - receiver: hit",
            "      matchers: [" + yamlString + "]",
            "receivers:",
            "  - name: none",
            "  - name: hit",
            ""));
    return f;
  }

  private record Result(int code, String out) {}

  private static Result amtool(String... args) throws Exception {
    List<String> cmd = Stream.concat(Stream.of(AMTOOL.toString()), Stream.of(args)).toList();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8)
            + new String(err, StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.startsWith("Warning: --config.file"))
                .reduce("", (a, b) -> a + b + "\n"));
  }
}
