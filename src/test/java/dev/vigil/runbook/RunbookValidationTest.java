package dev.vigil.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One fixture per validation rule in src/test/resources/runbooks/bad, each with the exact message a
 * user sees.
 */
class RunbookValidationTest {
  static final Path BAD = Path.of("src/test/resources/runbooks/bad");
  static final List<String> ALLOW =
      List.of("/usr/local/bin/clean-tmp", "/usr/bin/systemctl", "kubectl");

  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of(
            "yaml-syntax.yaml",
            "bad/yaml-syntax.yaml:6:4: YAML syntax error: expected <block end>, but found '<block sequence start>'"),
        Arguments.of(
            "unknown-key.yaml",
            "bad/unknown-key.yaml:3:1: unknown key \"rolout\" (did you mean \"rollout\"?)"),
        Arguments.of(
            "unknown-step-key.yaml",
            "bad/unknown-step-key.yaml:7:5: steps[1]: unknown key \"neds\" (did you mean \"needs\"?)"),
        Arguments.of(
            "wrong-type.yaml",
            "bad/wrong-type.yaml:5:24: steps[0].retry.attempts: expected a whole number, got \"many\""),
        Arguments.of(
            "bad-duration.yaml",
            "bad/bad-duration.yaml:3:10: timeout: duration \"30\" needs a unit, e.g. 30s (units: ms, s, m, h, d)"),
        Arguments.of(
            "bad-matcher.yaml",
            "bad/bad-matcher.yaml:4:14: match[1]: bad matcher: expected one of =, !=, =~, !~ after label name \"severity\""),
        Arguments.of(
            "re2-lookbehind.yaml",
            "bad/re2-lookbehind.yaml:4:14: match[1]: bad matcher: invalid regular expression (RE2 syntax, as in Alertmanager):"
                + " lookbehind (?<=...) is not supported"),
        Arguments.of(
            "duplicate-step-id.yaml",
            "bad/duplicate-step-id.yaml:6:9: steps[1].id: duplicate step id \"a\" (first at line 4)"),
        Arguments.of(
            "missing-need.yaml",
            "bad/missing-need.yaml:7:13: steps[1].needs[0]: no step \"prob\" (did you mean \"probe\"?)"),
        Arguments.of(
            "cycle.yaml", "bad/cycle.yaml:11:13: steps[2].needs[0]: cycle: c -> b -> a -> c"),
        Arguments.of(
            "cel-parse.yaml",
            "bad/cel-parse.yaml:5:39: steps[0].when: CEL: mismatched input '<EOF>'"),
        Arguments.of(
            "cel-type.yaml",
            "bad/cel-type.yaml:5:20: steps[0].when: CEL: undefined field 'lables'"),
        Arguments.of(
            "cel-not-bool.yaml",
            "bad/cel-not-bool.yaml:5:15: steps[0].when: CEL: a condition must give true or false, but this gives string"),
        Arguments.of(
            "not-ancestor.yaml",
            "bad/not-ancestor.yaml:11:29: steps[2].slack.text: steps.probe: \"probe\" is not an ancestor of \"report\", "
                + "so it may not have run yet; add it to needs (directly or through a step it needs)"),
        Arguments.of(
            "exec-not-allowed.yaml",
            "bad/exec-not-allowed.yaml:6:17: steps[0].exec.command[0]: \"/bin/rm\" is not in runbooks.exec.allow "
                + "(allowed: /usr/local/bin/clean-tmp, /usr/bin/systemctl, kubectl)"),
        Arguments.of(
            "rollout-range.yaml",
            "bad/rollout-range.yaml:5:12: rollout.percent: must be from 0 to 100, got 150"),
        Arguments.of(
            "cel-output-field.yaml",
            "bad/cel-output-field.yaml:9:33: steps[1].when: CEL: undefined field 'exitcode'"),
        Arguments.of(
            "steps-unknown.yaml",
            "bad/steps-unknown.yaml:9:25: steps[1].slack.text: steps.prob: no step \"prob\" (did you mean \"probe\"?)"),
        Arguments.of(
            "steps-self.yaml",
            "bad/steps-self.yaml:7:18: steps[0].check.until: steps.poll: a step cannot read its own result (use response in a check's until)"),
        Arguments.of(
            "no-action.yaml",
            "bad/no-action.yaml:4:5: steps[0]: step \"a\" has no action: give one of http, exec, wait, check, slack, pagerduty, incident, approval\n"
                + "bad/no-action.yaml:8:12: steps[1].slack: a step has exactly one action, but this one also has wait"),
        Arguments.of(
            "pagerduty-team.yaml",
            "bad/pagerduty-team.yaml:5:24: steps[0].pagerduty.team: \"${{ alert.labels.team }}\" is not a team id (letters, digits, '_',"
                + " '.' or '-', as in teams.yaml)"),
        Arguments.of(
            "computed-host.yaml",
            "bad/computed-host.yaml:6:19: steps[0].http.url: the host must be written out, not computed "
                + "(an alert label must not choose where requests go)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void eachRuleReportsItsExactMessage(String fixture, String expected) {
    assertThat(read(fixture)).containsExactly(expected.split("\n"));
  }

  @Test
  void fiveDifferentMistakesAreAllReportedSortedByLine() {
    assertThat(read("five-mistakes.yaml"))
        .containsExactly(
            "bad/five-mistakes.yaml:3:16: match[0]: bad matcher: unexpected '=' after operator = (operators are =, !=, =~, !~;"
                + " as in Alertmanager, the '=' would start the value, whose '\"' is not escaped)",
            "bad/five-mistakes.yaml:4:10: timeout: duration \"10\" needs a unit, e.g. 10s (units: ms, s, m, h, d)",
            "bad/five-mistakes.yaml:9:5: steps[0]: unknown key \"retyr\" (did you mean \"retry\"?)",
            "bad/five-mistakes.yaml:11:13: steps[1].needs[0]: no step \"usge\" (did you mean \"usage\"?)",
            "bad/five-mistakes.yaml:16:15: steps[2].when: steps.usage: \"usage\" is not an ancestor of \"tell\", "
                + "so it may not have run yet; add it to needs (directly or through a step it needs)");
  }

  @Test
  void twoRunbooksWithOneNameAreBothRejected() {
    Path dir = BAD.resolve("duplicate-name");
    RunbookReader reader = new RunbookReader(ALLOW, List.of());
    List<RunbookCatalog.Read> reads =
        RunbookCatalog.read(
            reader,
            List.of(dir.resolve("one.yaml"), dir.resolve("two.yaml")),
            f -> "bad/duplicate-name/" + f.getFileName());
    RunbookCatalog catalog = RunbookCatalog.next(RunbookCatalog.empty(), reads);
    assertThat(catalog.problems())
        .map(Problem::toString)
        .containsExactly(
            "bad/duplicate-name/one.yaml:1:7: name: runbook \"restart-service\" is also defined in bad/duplicate-name/two.yaml",
            "bad/duplicate-name/two.yaml:1:7: name: runbook \"restart-service\" is also defined in bad/duplicate-name/one.yaml");
    assertThat(catalog.runbooks()).isEmpty();
  }

  static List<String> read(String fixture) {
    Problems problems = new Problems();
    new RunbookReader(ALLOW, List.of()).read(BAD.resolve(fixture), "bad/" + fixture, problems);
    return problems.sorted().stream().map(Problem::toString).toList();
  }
}
