package dev.vigil.runbook.action;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The step kinds a runbook may use, in the order messages list them. The reader, the engine and the
 * output bindings ask this registry; nothing else names a kind. A new kind is one class
 * implementing {@link StepKind} and one line in {@link #STANDARD}.
 */
public final class StepKinds {
  private static final StepKinds STANDARD =
      new StepKinds(
          List.of(
              new HttpStep(),
              new ExecStep(),
              new WaitStep(),
              new CheckStep(),
              new SlackStep(),
              new PagerDutyStep(),
              new IncidentStep(),
              new ApprovalStep()));

  private final Map<String, StepKind> byName;

  private StepKinds(List<StepKind> kinds) {
    Map<String, StepKind> m = new LinkedHashMap<>();
    kinds.forEach(k -> m.put(k.name(), k));
    this.byName = Collections.unmodifiableMap(m);
  }

  /** Vigil's kinds: http, exec, wait, check, slack, pagerduty, incident, approval. */
  public static StepKinds standard() {
    return STANDARD;
  }

  /**
   * These kinds and {@code more}; one of {@code more} with the name of a kind here takes its place.
   */
  public StepKinds with(StepKind... more) {
    List<StepKind> all = new ArrayList<>(byName.values());
    for (StepKind k : more) {
      all.removeIf(x -> x.name().equals(k.name()));
      all.add(k);
    }
    return new StepKinds(all);
  }

  public Optional<StepKind> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The kinds' names, in order. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /**
   * A step's output over its kind's zero values: every field the kind declares, so an expression
   * that type-checked at load never fails on a missing field.
   */
  public Map<String, Object> completeOutput(String kind, Map<String, Object> output) {
    Map<String, Object> m =
        new LinkedHashMap<>(get(kind).map(StepKind::zeroOutput).orElse(Map.of()));
    if (output != null) {
      m.putAll(output);
    }
    return m;
  }
}
