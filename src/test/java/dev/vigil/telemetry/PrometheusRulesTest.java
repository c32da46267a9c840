package dev.vigil.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped alert rules for Vigil itself (docs/prometheus/vigil-rules.yml) are valid PromQL and
 * fire when they should: Prometheus's own {@code promtool} checks them and runs their unit tests
 * (docs/prometheus/vigil-rules.test.yml). StatsApiTest checks that every series they use exists.
 * Needs Debian's {@code prometheus} package (CI installs it; skipped elsewhere without it).
 */
class PrometheusRulesTest {
  static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  static String promtool(String... args) throws Exception {
    if (!Files.isExecutable(PROMTOOL)) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(PROMTOOL + " is missing: .ci/run must install prometheus");
      }
      Assumptions.abort(
          "skipped: " + PROMTOOL + " is not installed (apt-get install -y prometheus)");
    }
    String[] command = new String[args.length + 1];
    command[0] = PROMTOOL.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void theRulesAreValid() throws Exception {
    assertThat(promtool("check", "rules", "docs/prometheus/vigil-rules.yml"))
        .contains("SUCCESS: 6 rules found");
  }

  @Test
  void theRulesFireWhenTheyShould() throws Exception {
    assertThat(promtool("test", "rules", "docs/prometheus/vigil-rules.test.yml"))
        .contains("SUCCESS");
  }
}
