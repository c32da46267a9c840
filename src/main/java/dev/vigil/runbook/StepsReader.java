package dev.vigil.runbook;

import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.vigil.config.Durations;
import dev.vigil.config.Fields;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Expression;
import dev.vigil.expr.Scope;
import dev.vigil.runbook.action.StepKind;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.action.StepSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code steps} of one runbook file. Pass one reads each step's id, kind and needs and builds
 * the graph; pass two reads the rest, each step's body by its {@link StepKind}, with the results of
 * the steps it may read (its ancestors) typed by their kinds.
 */
final class StepsReader {
  static final List<String> COMMON_KEYS =
      List.of("id", "description", "needs", "when", "timeout", "retry", "onFailure", "onResume");
  static final Pattern STEP_ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private final StepKinds kinds;
  private final List<String> stepKeys;
  private final List<String> execAllow;
  private final List<String> httpAllow;
  private final Set<String> secretNames;
  private final FileCompiler compiler;

  StepsReader(
      StepKinds kinds,
      List<String> execAllow,
      List<String> httpAllow,
      Set<String> secretNames,
      FileCompiler compiler) {
    this.kinds = kinds;
    List<String> keys = new ArrayList<>(COMMON_KEYS);
    keys.addAll(kinds.names());
    this.stepKeys = List.copyOf(keys);
    this.execAllow = execAllow;
    this.httpAllow = httpAllow;
    this.secretNames = secretNames;
    this.compiler = compiler;
  }

  /** What pass one learns about a step before any expression is compiled. */
  private record Shape(
      String id, YamlNode node, Fields fields, StepKind kind, List<YamlNode> needNodes) {}

  /** The steps read, how many items the file has, and the graph of their needs. */
  record Steps(List<Step> list, int count, StepGraph graph) {}

  Steps read(Fields f, Scope scope) {
    Optional<YamlNode> stepsNode = f.required("steps");
    List<YamlNode> items = f.items("steps");
    if (stepsNode.isPresent() && stepsNode.get().isList() && items.isEmpty()) {
      stepsNode.get().error("a runbook needs at least one step");
    }
    // pass 1: ids, kinds, needs
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (YamlNode item : items) {
      if (!item.isMap()) {
        item.error(
            "a step is a mapping with an id and one action ("
                + String.join(", ", kinds.names())
                + "), got "
                + RunbookReader.describe(item));
        continue;
      }
      Fields sf = item.fields(stepKeys.toArray(String[]::new));
      Optional<String> id =
          sf.required("id")
              .flatMap(
                  n ->
                      n.string()
                          .filter(
                              s -> {
                                if (!STEP_ID.matcher(s).matches()) {
                                  n.error(
                                      "\""
                                          + s
                                          + "\" is not a step id: use letters, digits and '_', starting with a letter (it is read as steps."
                                          + s.replace('-', '_')
                                          + ")");
                                  return false;
                                }
                                Shape first = shapes.get(s);
                                if (first != null) {
                                  n.error(
                                      "duplicate step id \""
                                          + s
                                          + "\" (first at line "
                                          + first.node().pos().line()
                                          + ")");
                                  return false;
                                }
                                return true;
                              }));
      List<String> named = kinds.names().stream().filter(sf::has).toList();
      StepKind kind = null;
      if (named.isEmpty()) {
        item.error(
            "step"
                + id.map(s -> " \"" + s + "\"").orElse("")
                + " has no action: give one of "
                + String.join(", ", kinds.names()));
      } else if (named.size() > 1) {
        sf.get(named.get(1))
            .orElseThrow()
            .error("a step has exactly one action, but this one also has " + named.get(0));
      } else {
        kind = kinds.get(named.get(0)).orElseThrow();
      }
      List<YamlNode> needs = sf.items("needs");
      sf.get("needs")
          .filter(YamlNode::isScalar)
          .ifPresent(n -> n.error("expected a list of step ids, e.g. [" + n.text() + "]"));
      if (id.isPresent()) {
        shapes.put(id.get(), new Shape(id.get(), item, sf, kind, needs));
      }
    }
    // the graph: missing needs, then cycles
    Map<String, List<String>> needsById = new LinkedHashMap<>();
    for (Shape s : shapes.values()) {
      List<String> names = new ArrayList<>();
      for (YamlNode n : s.needNodes()) {
        Optional<String> need = n.string();
        if (need.isEmpty()) {
          names.add("");
          continue;
        }
        if (!shapes.containsKey(need.get())) {
          n.error(
              "no step \"" + need.get() + "\"" + RunbookReader.hint(need.get(), shapes.keySet()));
        } else if (names.contains(need.get())) {
          n.warning("\"" + need.get() + "\" is listed twice");
        }
        names.add(need.get());
      }
      needsById.put(s.id(), names);
    }
    StepGraph.Built built = StepGraph.build(needsById);
    for (StepGraph.Cycle c : built.cycles()) {
      shapes
          .get(c.step())
          .needNodes()
          .get(c.needIndex())
          .error(
              c.path().size() == 2
                  ? "step \"" + c.step() + "\" needs itself"
                  : "cycle: " + c.text());
    }
    StepGraph graph = built.graph();
    Map<String, CelType> stepTypes = new LinkedHashMap<>();
    shapes
        .values()
        .forEach(
            s ->
                stepTypes.put(
                    s.id(),
                    ExprTypes.stepResult(
                        s.kind() == null ? "unknown" : s.kind().name(),
                        s.kind() == null ? SimpleType.DYN : s.kind().outputType())));
    Scope withSteps = scope.with("steps", ExprTypes.struct("vigil.Steps", stepTypes));
    // pass 2: everything else
    List<Step> out = new ArrayList<>();
    for (Shape s : shapes.values()) {
      Scope.StepAccess access =
          ref -> {
            if (!shapes.containsKey(ref)) {
              return Optional.of(
                  "steps."
                      + ref
                      + ": no step \""
                      + ref
                      + "\""
                      + RunbookReader.hint(ref, shapes.keySet()));
            }
            if (ref.equals(s.id())) {
              return Optional.of(
                  "steps."
                      + ref
                      + ": a step cannot read its own result (use response in a check's until)");
            }
            if (!graph.ancestors(s.id()).contains(ref)) {
              return Optional.of(
                  "steps."
                      + ref
                      + ": \""
                      + ref
                      + "\" is not an ancestor of \""
                      + s.id()
                      + "\", so it may not have run yet; add it to needs (directly or through a step it needs)");
            }
            return Optional.empty();
          };
      step(s, withSteps, access, graph).ifPresent(out::add);
    }
    return new Steps(out, items.size(), graph);
  }

  private Optional<Step> step(Shape s, Scope scope, Scope.StepAccess access, StepGraph graph) {
    Fields sf = s.fields();
    Optional<Expression> when = sf.get("when").flatMap(n -> compiler.condition(n, scope, access));
    Optional<Duration> timeout = sf.get("timeout").flatMap(compiler::positive);
    Step.Retry retry =
        sf.fields("retry", "attempts", "backoff", "maxBackoff")
            .map(
                r -> {
                  int attempts = (int) r.integer("attempts", 1, 1, 100);
                  Duration backoff =
                      r.get("backoff").flatMap(compiler::positive).orElse(Duration.ofSeconds(1));
                  Duration max =
                      r.get("maxBackoff")
                          .flatMap(compiler::positive)
                          .orElse(backoff.multipliedBy(32));
                  if (max.compareTo(backoff) < 0) {
                    r.get("maxBackoff")
                        .orElseThrow()
                        .error(
                            "maxBackoff "
                                + Durations.format(max)
                                + " is shorter than backoff "
                                + Durations.format(backoff));
                  }
                  return new Step.Retry(attempts, backoff, max);
                })
            .orElse(Step.Retry.NONE);
    Step.FailurePolicy onFailure =
        Step.FailurePolicy.valueOf(
            sf.oneOf("onFailure", "fail", List.of("fail", "continue")).toUpperCase());
    Step.ResumePolicy onResume =
        Step.ResumePolicy.valueOf(
            sf.oneOf("onResume", "retry", List.of("retry", "fail")).toUpperCase());
    if (s.kind() == null) {
      return Optional.empty();
    }
    YamlNode specNode = sf.get(s.kind().name()).orElseThrow();
    // only kinds whose rendered action is neither stored nor shown may insert secrets
    Scope specScope = s.kind().readsSecrets() ? scope.withSecrets(secretNames) : scope;
    Optional<? extends StepSpec> spec =
        s.kind().parse(specNode, compiler.specReader(specScope, access, execAllow, httpAllow));
    return spec.map(
        (StepSpec sp) ->
            new Step(
                s.id(),
                sf.string("description", ""),
                graph.needs(s.id()),
                when,
                timeout,
                retry,
                onFailure,
                onResume,
                sp,
                s.node().pos()));
  }
}
