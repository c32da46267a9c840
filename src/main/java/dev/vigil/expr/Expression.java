package dev.vigil.expr;

import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;

/**
 * One compiled CEL expression: parsed and type-checked once at load, evaluated many times.
 *
 * <p>Evaluation is pure and bounded: it reads only the bindings it is given and stops with an
 * {@link EvalException} after {@link #MAX_STEPS} evaluation steps, so no runbook can hang the
 * engine. Thread-safe; cheap enough to call on an event loop.
 */
public final class Expression {
  /**
   * Evaluation steps (one per sub-expression visited, loops included) before evaluation is
   * abandoned.
   */
  public static final int MAX_STEPS = 20_000;

  private final String source;
  private final CelType type;
  private final CelRuntime.Program program;

  Expression(String source, CelType type, CelRuntime.Program program) {
    this.source = source;
    this.type = type;
    this.program = program;
  }

  public String source() {
    return source;
  }

  /** The type the checker inferred, e.g. {@code bool} or {@code dyn}. */
  public CelType type() {
    return type;
  }

  public boolean isBool() {
    return type.equals(SimpleType.BOOL);
  }

  /** The value as plain Java (String, Long, Double, Boolean, List, Map, or null). */
  public Object evaluate(Map<String, ?> bindings) throws EvalException {
    int[] steps = {0};
    try {
      Object v =
          program.trace(
              bindings,
              (expr, value) -> {
                if (++steps[0] > MAX_STEPS) {
                  throw new CostExceeded();
                }
              });
      return Values.plain(v);
    } catch (CelEvaluationException e) {
      if (hasCause(e, CostExceeded.class)
          || String.valueOf(e.getMessage()).contains("Iteration budget exceeded")) {
        throw new EvalException(overLimit());
      }
      throw new EvalException("\"" + abbreviate(source) + "\": " + describe(e), e);
    } catch (CostExceeded e) {
      throw new EvalException(overLimit());
    } catch (RuntimeException e) {
      throw new EvalException("\"" + abbreviate(source) + "\": " + e, e);
    }
  }

  private String overLimit() {
    return "\""
        + abbreviate(source)
        + "\" exceeded the evaluation limit ("
        + MAX_STEPS
        + " steps, "
        + Scope.MAX_ITERATIONS
        + " loop iterations)";
  }

  /** Evaluates a condition; anything but a boolean is an error. */
  public boolean test(Map<String, ?> bindings) throws EvalException {
    Object v = evaluate(bindings);
    if (v instanceof Boolean b) {
      return b;
    }
    throw new EvalException(
        "\"" + abbreviate(source) + "\" gave " + Values.text(v) + ", not true or false");
  }

  @Override
  public String toString() {
    return source;
  }

  private static String describe(CelEvaluationException e) {
    String m = e.getMessage() == null ? "evaluation failed" : e.getMessage();
    // "evaluation error at <input>:17: zzz" -> "zzz"; the position in a one-line expression adds
    // nothing
    m = m.replaceFirst("^evaluation error at <input>:\\d+: ", "");
    if (e.getCause() != null
        && e.getCause().getMessage() != null
        && m.equals(e.getCause().getMessage())
        && e.getCause().getClass().getSimpleName().contains("NoSuchElement")) {
      return "no such key: " + m;
    }
    return m;
  }

  private static boolean hasCause(Throwable t, Class<?> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  static String abbreviate(String s) {
    String one = s.replace("\n", " ");
    return one.length() > 80 ? one.substring(0, 77) + "..." : one;
  }

  private static final class CostExceeded extends RuntimeException {
    CostExceeded() {
      super("cost limit", null, false, false);
    }
  }
}
