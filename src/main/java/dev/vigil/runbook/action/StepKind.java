package dev.vigil.runbook.action;

import dev.cel.common.types.CelType;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.ExprTypes;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Optional;

/**
 * One step kind ({@code http}, {@code exec}, ...): everything Vigil knows about it. The reader asks
 * it to read a step's body into a {@link StepSpec} and for the type of the step's output; the
 * engine asks it for that output's zero values, how timeouts apply and how a suspended step wakes
 * after a restart, and has it perform each try.
 *
 * <p>A kind is stateless: what it reads with comes in a {@link SpecReader}, what it performs with
 * in {@link StepServices}. {@link StepKinds} lists the kinds a runbook may use.
 */
public interface StepKind {

  /** The key that names the kind in a step ({@code http:}); unique in a {@link StepKinds}. */
  String name();

  /**
   * Reads the step's body (the value under {@link #name()}) into its spec. Every problem is
   * reported through {@code in} or on the node, at its file:line:col; empty when the body has one.
   */
  Optional<? extends StepSpec> parse(YamlNode body, SpecReader in);

  /**
   * The CEL type of {@code steps.<id>.output}, which templates and conditions are checked with; by
   * default a kind has no output.
   */
  default CelType outputType() {
    return ExprTypes.NO_OUTPUT;
  }

  /**
   * A value for every field {@link #outputType()} declares, for a step that produced none (skipped,
   * failed before any output), so that an expression that type-checked never reads a missing field.
   * A kind that declares an output declares its zero values too.
   */
  default Map<String, Object> zeroOutput() {
    return Map.of();
  }

  /**
   * Whether the step's templates may insert {@code secrets}: only for kinds whose rendered action
   * is neither stored nor shown.
   */
  default boolean readsSecrets() {
    return false;
  }

  /**
   * Whether the step's {@code timeout} bounds each try. Kinds that pause the run durably ({@code
   * wait}, {@code approval}) say so false: their own durations say how long they last.
   */
  default boolean timeoutPerTry() {
    return true;
  }

  /**
   * How a step of this kind that was suspended when Vigil stopped wakes after a restart, when the
   * rule it suspended with is gone: by default it succeeds (a {@code wait}).
   */
  default StepOutcome.Suspend wakeAfterRestart() {
    return new StepOutcome.Suspend(null, false, null);
  }

  /** Whether a person's decision (approve or reject) ends a waiting step of this kind. */
  default boolean awaitsDecision() {
    return false;
  }

  /**
   * Performs one try, on the engine's event loop; an implementation must not block it (blocking
   * work goes to a worker).
   *
   * <p>The returned future fails only for a bug; every expected failure (a bad status, a non-zero
   * exit, a timeout) is a {@link StepOutcome.Failed}.
   */
  Future<StepOutcome> perform(Attempt attempt, StepServices services);
}
