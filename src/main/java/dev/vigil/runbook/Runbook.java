package dev.vigil.runbook;

import dev.vigil.alert.Matcher;
import dev.vigil.config.Pos;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.Template;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A runbook as loaded from one YAML file and validated: what it matches, how it rolls out, and its
 * steps as a dependency graph. Immutable; every expression and template in it is compiled.
 *
 * @param version the content hash of {@code source}; a run keeps the version it started with
 * @param source the file's text exactly as it was read and parsed (its bytes, valid UTF-8,
 *     decoded): what a run stores, so a run never reads the file again and resumes from the version
 *     that started it
 * @param type when present, only incidents of this type match
 * @param timeout the whole run
 * @param vars values computed once when a run starts, in file order
 * @param steps in file order; {@link #graph()} gives the execution order
 * @param pos where the name is written (the start of the file when it is not)
 */
public record Runbook(
    String name,
    String description,
    Path file,
    String version,
    String source,
    List<MatchRule> match,
    Optional<String> type,
    Rollout rollout,
    Duration timeout,
    Optional<Concurrency> concurrency,
    Map<String, Var> vars,
    List<Step> steps,
    IncidentOutcome onSuccess,
    IncidentOutcome onFailure,
    StepGraph graph,
    Pos pos) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  public Runbook {
    Objects.requireNonNull(source, "source");
    match = List.copyOf(match);
    vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
    steps = List.copyOf(steps);
  }

  /**
   * One matcher of a {@code match:} entry (an entry may list several) and where the entry was
   * written.
   */
  public record MatchRule(Matcher matcher, Pos pos) {}

  /** One entry of {@code vars:}. */
  public record Var(String name, Template value, Pos pos) {}

  /** At most {@code limit} runs at once per rendered {@code key}. */
  public record Concurrency(Template key, int limit, Pos pos) {}

  /** What happens to the incident when a run ends. */
  public enum IncidentOutcome {
    NONE,
    RESOLVE,
    ESCALATE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  /**
   * The bindings a run starts with: {@code base} (alert, alerts, incident, team) plus {@code vars},
   * evaluated in file order, and no step results yet.
   */
  public Map<String, Object> startBindings(Map<String, Object> base) throws EvalException {
    Map<String, Object> b = new LinkedHashMap<>(base);
    Map<String, Object> values = new LinkedHashMap<>();
    b.put("vars", values);
    b.put("steps", Map.of());
    for (Var v : vars.values()) {
      values.put(v.name(), v.value().value(b));
    }
    return b;
  }

  public Optional<Step> step(String id) {
    return steps.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /** Steps in the order they may run (every step after all it needs; ties in file order). */
  public List<Step> stepsInOrder() {
    return graph.order().stream().map(id -> step(id).orElseThrow()).toList();
  }

  /** True when the incident's labels (and type, if the runbook names one) satisfy every matcher. */
  public boolean matches(Map<String, String> labels, String incidentType) {
    if (type.isPresent() && !type.get().equals(incidentType)) {
      return false;
    }
    return match.stream().allMatch(m -> m.matcher().matches(labels));
  }
}
