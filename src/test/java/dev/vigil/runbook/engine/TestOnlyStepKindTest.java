package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.vigil.config.Fields;
import dev.vigil.config.Pos;
import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Template;
import dev.vigil.expr.Template.Insertion;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.action.Attempt;
import dev.vigil.runbook.action.RenderedAction;
import dev.vigil.runbook.action.SpecReader;
import dev.vigil.runbook.action.StepKind;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.action.StepOutcome;
import dev.vigil.runbook.action.StepServices;
import dev.vigil.runbook.action.StepSpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Adding a step kind is one class and one registry line: {@link Shout} exists only in this test,
 * and {@link #KINDS} is its registry line. The real reader reads it (its key, its body's problems
 * at file:line:col, its output's type in later steps' expressions) and the real engine performs it,
 * its output bound for the steps after it.
 */
class TestOnlyStepKindTest extends EngineScenario {

  /** {@code shout: {text: ...}}: outputs its text in capitals, as {@code output.loud}. */
  static final class Shout implements StepKind {
    @Override
    public String name() {
      return "shout";
    }

    @Override
    public Optional<Spec> parse(YamlNode body, SpecReader in) {
      Fields f = body.fields("text");
      return f.required("text").flatMap(in::template).map(t -> new Spec(t, body.pos()));
    }

    @Override
    public CelType outputType() {
      return ExprTypes.struct("test.ShoutOutput", Map.of("loud", SimpleType.STRING));
    }

    @Override
    public Map<String, Object> zeroOutput() {
      return Map.of("loud", "");
    }

    @Override
    public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
      Said said = (Said) attempt.action();
      return Future.succeededFuture(
          StepOutcome.done(Map.of("loud", said.text().toUpperCase(Locale.ROOT))));
    }

    record Spec(Template text, Pos pos) implements StepSpec {
      @Override
      public String kind() {
        return "shout";
      }

      @Override
      public Said render(Renderer r) throws EvalException {
        return new Said(r.text(text, Insertion.TEXT));
      }
    }

    record Said(String text) implements RenderedAction {
      @Override
      public String summary() {
        return "shout " + text;
      }
    }
  }

  static final StepKinds KINDS = StepKinds.standard().with(new Shout());

  @Test
  void theEngineRunsAStepOfAKindDefinedOnlyInATest() {
    f =
        RunbookFixture.start(
            dir,
            KINDS,
            Map.of(
                "loud",
                rb(
                    "loud",
                    """
                    steps:
                      - id: say
                        shout: { text: "disk full on ${{ alert.labels.host }}" }
                      - id: skipped
                        when: ${{ alert.labels.host == "elsewhere" }}
                        onFailure: continue
                        shout: { text: "never" }
                      - id: tell
                        needs: [say, skipped]
                        when: ${{ steps.say.output.loud.startsWith("DISK") && steps.skipped.output.loud == "" }}
                        incident: { action: note, text: "heard ${{ steps.say.output.loud }}" }
                    onSuccess: none
                    """)));
    RunId run = f.runOf(f.fire("{\"alertname\": \"loud\", \"host\": \"web1\"}"));
    RunRecord r = f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(f.step(run, "say").output()).containsEntry("loud", "DISK FULL ON WEB1");
    assertThat(f.step(run, "skipped").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(f.step(run, "tell").status()).isEqualTo(StepStatus.SUCCEEDED);
    JsonObject incident = f.incident(r.incident().toString());
    assertThat(ModesTest.timelineHas(incident, "note", "heard DISK FULL ON WEB1")).isTrue();
  }

  @Test
  void theReaderReadsTheKindsBodyAndTypesItsOutput() {
    String yaml =
        """
        name: loud
        match: ['alertname = "loud"']
        steps:
          - id: say
            shout: { txt: "hi" }
          - id: again
            needs: [say]
            shout: { text: "${{ steps.say.output.quiet }}" }
        """;
    assertThat(problems(new RunbookReader(List.of(), List.of(), Set.of(), KINDS), yaml))
        .containsExactly(
            "loud.yaml:5:12: steps[0].shout: missing required key \"text\"",
            "loud.yaml:5:14: steps[0].shout: unknown key \"txt\" (did you mean \"text\"?)",
            "loud.yaml:8:41: steps[1].shout.text: CEL: undefined field 'quiet'");
  }

  @Test
  void withoutItsRegistryLineTheKindIsUnknown() {
    String yaml =
        """
        name: loud
        match: ['alertname = "loud"']
        steps:
          - id: say
            shout: { text: "hi" }
        """;
    assertThat(problems(new RunbookReader(List.of(), List.of()), yaml))
        .anySatisfy(p -> assertThat(p).contains("unknown key \"shout\""))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains(
                        "has no action: give one of http, exec, wait, check, slack, pagerduty, incident, approval"));
  }

  private static List<String> problems(RunbookReader reader, String yaml) {
    Problems problems = new Problems();
    reader.parse(
        yaml.getBytes(StandardCharsets.UTF_8), Path.of("loud.yaml"), "loud.yaml", problems);
    return problems.sorted().stream().map(Problem::toString).toList();
  }
}
