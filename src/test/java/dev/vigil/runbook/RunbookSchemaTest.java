package dev.vigil.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.vigil.runbook.action.StepKinds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/schema/runbook-v1.json: what editors check as you type agrees with Vigil where a schema can
 * say it.
 */
class RunbookSchemaTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final JsonSchema SCHEMA = load();

  static JsonSchema load() {
    try (InputStream in = Files.newInputStream(Path.of("docs/schema/runbook-v1.json"))) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Set<ValidationMessage> check(Path file) throws IOException {
    JsonNode doc = YAML.readTree(file.toFile());
    return SCHEMA.validate(doc);
  }

  static Stream<Path> shipped() throws IOException {
    return RunbookCatalog.files(Path.of("runbooks")).stream();
  }

  @ParameterizedTest
  @MethodSource("shipped")
  void everyShippedRunbookValidatesAndPointsEditorsAtTheSchema(Path file) throws IOException {
    assertThat(check(file)).isEmpty();
    assertThat(Files.readAllLines(file).get(0))
        .isEqualTo("# yaml-language-server: $schema=../docs/schema/runbook-v1.json");
  }

  /**
   * The bad fixtures whose rule a schema can express (keys, types, durations, matchers, ranges, a
   * computed host).
   */
  @ParameterizedTest
  @CsvSource({
    "unknown-key.yaml, 'rolout'", "unknown-step-key.yaml, 'neds'",
        "wrong-type.yaml, $.steps[0].retry.attempts",
    "bad-duration.yaml, $.timeout", "bad-matcher.yaml, $.match[1]",
        "rollout-range.yaml, $.rollout.percent",
    "computed-host.yaml, $.steps[0].http.url", "five-mistakes.yaml, $.match[0]",
        "no-action.yaml, $.steps[0]",
    "pagerduty-team.yaml, $.steps[0].pagerduty.team"
  })
  void theSchemaRejectsTheBadFixturesItCanExpress(String fixture, String where) throws IOException {
    Set<ValidationMessage> errors = check(RunbookValidationTest.BAD.resolve(fixture));
    assertThat(errors)
        .extracting(m -> m.getInstanceLocation().toString() + " " + m.getMessage())
        .anySatisfy(m -> assertThat(m).contains(where));
  }

  /**
   * Rules only Vigil checks (the graph, CEL, RE2 syntax, the allowlist from config, names across
   * files): the schema accepts these files, which is why `vigil validate` exists. Listed so that
   * the gap is explicit.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "duplicate-step-id.yaml",
        "missing-need.yaml",
        "cycle.yaml",
        "cel-parse.yaml",
        "cel-type.yaml",
        "cel-not-bool.yaml",
        "not-ancestor.yaml",
        "exec-not-allowed.yaml",
        "cel-output-field.yaml",
        "steps-unknown.yaml",
        "steps-self.yaml",
        "re2-lookbehind.yaml"
      })
  void rulesBeyondASchemaAreLeftToVigil(String fixture) throws IOException {
    assertThat(check(RunbookValidationTest.BAD.resolve(fixture))).isEmpty();
  }

  /**
   * The schema's step keys are the reader's: the common ones and one per kind in the registry, of
   * which a step has exactly one.
   */
  @Test
  void theSchemaKnowsTheStepKindsOfTheRegistry() throws IOException {
    JsonNode step =
        new ObjectMapper()
            .readTree(Path.of("docs/schema/runbook-v1.json").toFile())
            .at("/definitions/step");
    List<String> exactlyOne = new ArrayList<>();
    step.get("oneOf").forEach(o -> exactlyOne.add(o.get("required").get(0).asText()));
    assertThat(exactlyOne).isEqualTo(StepKinds.standard().names());
    List<String> keys = new ArrayList<>();
    step.get("properties").fieldNames().forEachRemaining(keys::add);
    List<String> expected = new ArrayList<>(StepsReader.COMMON_KEYS);
    expected.addAll(StepKinds.standard().names());
    assertThat(keys).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void everyBadFixtureIsClassified() throws IOException {
    try (Stream<Path> s = Files.list(RunbookValidationTest.BAD)) {
      List<String> names =
          s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names)
          .containsExactlyInAnyOrder(
              "unknown-key.yaml",
              "unknown-step-key.yaml",
              "wrong-type.yaml",
              "bad-duration.yaml",
              "bad-matcher.yaml",
              "rollout-range.yaml",
              "computed-host.yaml",
              "five-mistakes.yaml",
              "duplicate-step-id.yaml",
              "missing-need.yaml",
              "cycle.yaml",
              "cel-parse.yaml",
              "cel-type.yaml",
              "cel-not-bool.yaml",
              "not-ancestor.yaml",
              "exec-not-allowed.yaml",
              "cel-output-field.yaml",
              "steps-unknown.yaml",
              "steps-self.yaml",
              "no-action.yaml",
              "re2-lookbehind.yaml",
              "pagerduty-team.yaml",
              "yaml-syntax.yaml"); // not YAML at all: no schema applies
    }
  }
}
