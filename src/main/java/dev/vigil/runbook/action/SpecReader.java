package dev.vigil.runbook.action;

import dev.cel.common.types.CelType;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.Expression;
import dev.vigil.expr.Template;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link StepKind} reads a step's body with: the runbook reader's compilers, which know the
 * step's scope (what its expressions may read), and the config's allowlists. Each method reports
 * its problems at their file:line:col and returns empty (or false) after one.
 */
public interface SpecReader {

  /** A template ({@code ${{ }}} holes in text), compiled in the step's scope. */
  Optional<Template> template(YamlNode n);

  /**
   * A condition (a CEL expression giving a bool, bare or as one {@code ${{ }}}) in the step's scope
   * plus the variable {@code name} of {@code type}.
   */
  Optional<Expression> condition(YamlNode n, String name, CelType type);

  /** A duration longer than 0s. */
  Optional<Duration> positive(YamlNode n);

  /** Reports {@code message} at the character {@code offset} of {@code n}'s text. */
  void errorAt(YamlNode n, int offset, String message);

  /** Whether {@code n} was written as a quoted scalar. */
  boolean quoted(YamlNode n);

  /** The programs {@code exec} steps may run ({@code runbooks.exec.allow}). */
  List<String> execAllow();

  /** The hosts HTTP requests may go to ({@code runbooks.http.allow}); empty: any. */
  List<String> httpAllow();

  /** For messages: a node's text, or what it is, in at most 60 characters. */
  static String abbreviate(String s) {
    String one = s.replace("\n", "\\n");
    return one.length() > 60 ? one.substring(0, 57) + "..." : one;
  }
}
