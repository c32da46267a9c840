package dev.vigil.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import dev.vigil.escalation.ConfigFixtures;
import dev.vigil.incident.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClassificationReaderTest {

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of(
            "bad/classification-bad-matcher.yaml",
            List.of(
                "config/bad/classification-bad-matcher.yaml:4:37: rules[1].match[0]: bad matcher \"severity =~ \"critical|(page\"\":"
                    + " invalid regular expression (RE2 syntax, as in Alertmanager): missing closing ) (at character 23)",
                "config/bad/classification-bad-matcher.yaml:6:25: rules[2].match[0]: bad matcher \"alertname ~= \"NodeFilesystem.*\"\":"
                    + " expected one of =, !=, =~, !~ after label name \"alertname\" (at character 11)",
                "config/bad/classification-bad-matcher.yaml:9:12: rules[3].match: match must be a list of matchers,"
                    + " e.g. [ 'alertname = \"Watchdog\"' ]")),
        Arguments.of(
            "bad/classification-bad-severity.yaml",
            List.of(
                "config/bad/classification-bad-severity.yaml:3:15: rules[0].severity: \"page\" is not one of critical, error, warning, info",
                "config/bad/classification-bad-severity.yaml:4:5: rules[1]: a rule must set severity, type or drop: true",
                "config/bad/classification-bad-severity.yaml:5:22: default.severity: \"warn\" is not one of critical, error, warning, info",
                "config/bad/classification-bad-severity.yaml:8:19: heartbeats[0].missingAfter: duration \"10\" needs a unit, e.g. 10s"
                    + " (units: ms, s, m, h, d)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void everyProblemIsReportedAtItsPlace(String fixture, List<String> expected) {
    Problems problems = new Problems();
    Path file = ConfigFixtures.path(fixture);
    ClassificationReader.read(
        file, ConfigFixtures.label(fixture), ConfigFixtures.noEnv(file), problems);
    assertThat(problems.sorted()).extracting(Problem::toString).containsExactlyElementsOf(expected);
  }

  @Test
  void readsTheDocumentedExample() {
    Problems problems = new Problems();
    Path file = ConfigFixtures.path("good/classification.yaml");
    Classification c =
        ClassificationReader.read(file, "classification.yaml", ConfigFixtures.noEnv(file), problems)
            .orElseThrow();
    assertThat(problems.sorted()).isEmpty();
    assertThat(c.rules()).hasSize(3);
    assertThat(c.firstMatch(Map.of("alertname", "Watchdog")).orElseThrow().drop()).isTrue();
    assertThat(c.defaultSeverity()).isEqualTo(Severity.WARNING);
    assertThat(c.heartbeats())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.missingAfter()).isEqualTo(Duration.ofMinutes(10));
              assertThat(h.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(h.matches(Map.of("alertname", "Watchdog"))).isTrue();
              assertThat(h.summary())
                  .isEqualTo("No Watchdog from Alertmanager for 10m: alerting is blind");
            });
  }
}
