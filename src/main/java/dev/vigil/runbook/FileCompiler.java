package dev.vigil.runbook;

import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.ExprError;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Expression;
import dev.vigil.expr.Scope;
import dev.vigil.expr.Template;
import dev.vigil.runbook.action.SpecReader;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The expressions, templates and durations of one runbook file, compiled with their problems
 * reported at the file:line:col of the character at fault.
 */
final class FileCompiler {
  private final SourceText text;

  FileCompiler(SourceText text) {
    this.text = text;
  }

  /**
   * A {@code when}/{@code until}: a CEL expression, bare or as one {@code ${{ }}}, that must give a
   * bool.
   */
  Optional<Expression> condition(YamlNode n, Scope scope, Scope.StepAccess access) {
    Optional<String> s = n.string();
    if (s.isEmpty()) {
      return Optional.empty();
    }
    String src = s.get();
    int start = 0;
    String trimmed = src.strip();
    if (trimmed.startsWith("${{") && trimmed.endsWith("}}")) {
      start = src.indexOf("${{") + 3;
      String inner = src.substring(start, src.lastIndexOf("}}"));
      int lead = inner.length() - inner.stripLeading().length();
      start += lead;
      src = inner.strip();
    }
    Scope.Result r = scope.compile(src, access);
    int base = start;
    if (!r.ok()) {
      r.errors().forEach(e -> errorAt(n, base + e.offset(), message(e)));
      return Optional.empty();
    }
    Expression e = r.expression().orElseThrow();
    if (!e.isBool() && !e.type().equals(SimpleType.DYN)) {
      errorAt(
          n,
          base,
          "CEL: a condition must give true or false, but this gives "
              + ExprTypes.describe(e.type()));
      return Optional.empty();
    }
    return Optional.of(e);
  }

  Optional<Template> template(YamlNode n, Scope scope, Scope.StepAccess access) {
    Optional<String> s = n.string();
    if (s.isEmpty()) {
      return Optional.empty();
    }
    Template.Result r = Template.compile(s.get(), scope, access);
    r.errors().forEach(e -> errorAt(n, e.offset(), message(e)));
    return r.template();
  }

  private String message(ExprError e) {
    return e.message().startsWith("steps.") || e.message().startsWith("secrets")
        ? e.message()
        : "CEL: " + e.message();
  }

  void errorAt(YamlNode n, int offset, String message) {
    Pos p = text.at(n, offset);
    n.problems().error(p, n.path().isEmpty() ? message : n.path() + ": " + message);
  }

  Optional<Duration> positive(YamlNode n) {
    return n.duration()
        .filter(
            d -> {
              if (d.isZero() || d.isNegative()) {
                n.error("must be longer than 0s");
                return false;
              }
              return true;
            });
  }

  /**
   * What a step kind reads its body with: these compilers in {@code scope}, with {@code access}
   * saying which steps the body may read.
   */
  SpecReader specReader(
      Scope scope, Scope.StepAccess access, List<String> execAllow, List<String> httpAllow) {
    return new SpecReader() {
      @Override
      public Optional<Template> template(YamlNode n) {
        return FileCompiler.this.template(n, scope, access);
      }

      @Override
      public Optional<Expression> condition(YamlNode n, String name, CelType type) {
        return FileCompiler.this.condition(n, scope.with(name, type), access);
      }

      @Override
      public Optional<Duration> positive(YamlNode n) {
        return FileCompiler.this.positive(n);
      }

      @Override
      public void errorAt(YamlNode n, int offset, String message) {
        FileCompiler.this.errorAt(n, offset, message);
      }

      @Override
      public boolean quoted(YamlNode n) {
        return text.quoted(n);
      }

      @Override
      public List<String> execAllow() {
        return execAllow;
      }

      @Override
      public List<String> httpAllow() {
        return httpAllow;
      }
    };
  }
}
