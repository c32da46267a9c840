package dev.vigil.runbook.engine;

import dev.vigil.expr.Bindings;
import dev.vigil.expr.Secrets;
import dev.vigil.runbook.action.StepOutcome;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a run's expressions read, and how a try's outcome is masked before anyone sees it. */
final class RunBindings {
  private RunBindings() {}

  /**
   * A real run's bindings ({@code secrets} given): the start bindings, the secrets (for this try
   * only: the run record's bindings never hold them) and every finished step's result. A dry run's
   * ({@code secrets} null): the start bindings, and no step results, so reading {@code steps.X}
   * fails and a preview keeps the {@code ${{ }}} as written.
   */
  static Map<String, Object> of(
      RunRecord record, Map<String, StepRun> steps, Secrets secrets, StepDispatch kinds) {
    Map<String, Object> b = new LinkedHashMap<>(record.bindings());
    if (secrets == null) {
      b.put("steps", Map.of());
      return b;
    }
    b.put(Secrets.BINDING, secrets);
    Map<String, Object> results = new LinkedHashMap<>();
    for (StepRun st : steps.values()) {
      if (st.status().finished()) {
        results.put(
            st.id(),
            Bindings.stepResult(
                st.status().wire(),
                st.attempts(),
                st.error(),
                kinds.completeOutput(st.kind(), st.output())));
      }
    }
    b.put("steps", results);
    return b;
  }

  /** A try's outcome as it may be stored, logged and read by later steps: secrets masked. */
  static StepOutcome redact(StepOutcome o, Secrets secrets) {
    if (o instanceof StepOutcome.Done d) {
      return new StepOutcome.Done(secrets.redactMap(d.output()));
    }
    if (o instanceof StepOutcome.Failed f) {
      return new StepOutcome.Failed(
          secrets.redact(f.error()), f.timedOut(), secrets.redactMap(f.output()));
    }
    return o;
  }
}
