package dev.vigil.runbook.action;

import dev.vigil.config.Pos;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.Template;
import dev.vigil.expr.Template.Insertion;
import java.util.Map;

/**
 * What one step does, as its {@link StepKind} read it. Templates are compiled; {@link #render}
 * evaluates them against a run's bindings into a {@link RenderedAction} that the kind performs (or
 * a dry run records). Rendering never performs anything.
 */
public interface StepSpec {

  /** The kind as written in the file: {@code http}, {@code exec}, ... */
  String kind();

  Pos pos();

  /** Every template rendered against {@code bindings}; nothing is performed. */
  default RenderedAction render(Map<String, ?> bindings) throws EvalException {
    return render(Renderer.strict(bindings));
  }

  /**
   * For dry runs: what can be rendered is, holes that need a run's results stay as {@code ${{
   * source }}}.
   */
  default RenderedAction preview(Map<String, ?> bindings) {
    try {
      return render(Renderer.preview(bindings));
    } catch (EvalException e) {
      throw new IllegalStateException("a preview never fails", e);
    }
  }

  RenderedAction render(Renderer r) throws EvalException;

  /** How templates are filled: strictly (a run) or as a preview (a dry run). */
  interface Renderer {
    String text(Template t, Insertion where) throws EvalException;

    Object value(Template t) throws EvalException;

    static Renderer strict(Map<String, ?> b) {
      return new Renderer() {
        @Override
        public String text(Template t, Insertion where) throws EvalException {
          return t.render(b, where);
        }

        @Override
        public Object value(Template t) throws EvalException {
          return t.value(b);
        }
      };
    }

    static Renderer preview(Map<String, ?> b) {
      return new Renderer() {
        @Override
        public String text(Template t, Insertion where) {
          return t.preview(b, where);
        }

        @Override
        public Object value(Template t) {
          try {
            return t.value(b);
          } catch (EvalException e) {
            return t.preview(b, Insertion.TEXT);
          }
        }
      };
    }
  }
}
