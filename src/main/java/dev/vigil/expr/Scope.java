package dev.vigil.expr;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.StructType;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelStringExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The variables one expression may read, with their CEL types, and the compiler for that set.
 *
 * <p>Immutable and thread-safe. Compiling parses and type-checks; a reference to {@code steps.X} is
 * first checked by the caller's {@link StepAccess}, so "X is not an ancestor" is reported in words
 * rather than as a type error.
 */
public final class Scope {
  /** Expressions longer than this are refused at load (they belong in a script, not a runbook). */
  public static final int MAX_SOURCE_CHARS = 2000;

  /** Iterations of one comprehension ({@code all}, {@code exists}, {@code map}, {@code filter}). */
  public static final int MAX_ITERATIONS = 1000;

  private static final CelOptions OPTIONS =
      CelOptions.current()
          .maxExpressionCodePointSize(MAX_SOURCE_CHARS)
          .comprehensionMaxIterations(MAX_ITERATIONS)
          .maxParseRecursionDepth(64)
          .build();

  /**
   * String functions that cannot multiply the size of their input ({@code replace} can, so it is
   * left out): a runbook expression stays cheap however it is written.
   */
  private static final CelStringExtensions STRINGS =
      CelExtensions.strings(
          CelStringExtensions.Function.CHAR_AT,
          CelStringExtensions.Function.INDEX_OF,
          CelStringExtensions.Function.JOIN,
          CelStringExtensions.Function.LAST_INDEX_OF,
          CelStringExtensions.Function.LOWER_ASCII,
          CelStringExtensions.Function.SPLIT,
          CelStringExtensions.Function.SUBSTRING,
          CelStringExtensions.Function.TRIM,
          CelStringExtensions.Function.UPPER_ASCII);

  private static final Cel BASE =
      CelFactory.standardCelBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addCompilerLibraries(STRINGS)
          .addRuntimeLibraries(STRINGS)
          .build();

  /** Says whether an expression may read {@code steps.<id>}: empty when it may, else why not. */
  @FunctionalInterface
  public interface StepAccess {
    Optional<String> problem(String stepId);

    StepAccess NONE = id -> Optional.of("steps cannot be read here");
  }

  private final Map<String, CelType> vars;
  private final Cel cel;
  private final Optional<Set<String>> secrets;

  private Scope(Scope from, Optional<Set<String>> secrets) {
    this.vars = from.vars;
    this.cel = from.cel;
    this.secrets = secrets;
  }

  private Scope(Map<String, CelType> vars) {
    this.secrets = Optional.empty();
    this.vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
    Map<String, CelType> structs = new LinkedHashMap<>();
    vars.values().forEach(t -> collectStructs(t, structs));
    CelTypeProvider provider =
        new CelTypeProvider() {
          @Override
          public ImmutableCollection<CelType> types() {
            return ImmutableList.copyOf(structs.values());
          }

          @Override
          public Optional<CelType> findType(String name) {
            return Optional.ofNullable(structs.get(name));
          }
        };
    var builder = BASE.toCelBuilder().setTypeProvider(provider);
    vars.forEach(builder::addVar);
    this.cel = builder.build();
  }

  /** The variables every runbook expression sees: alert, alerts, incident, team. */
  public static Scope runbook() {
    Map<String, CelType> v = new LinkedHashMap<>();
    v.put("alert", ExprTypes.ALERT);
    v.put("alerts", ExprTypes.ALERTS);
    v.put("incident", ExprTypes.INCIDENT);
    v.put("team", ExprTypes.TEAM);
    return new Scope(v);
  }

  /** This scope plus (or with a new type for) one variable. */
  public Scope with(String name, CelType type) {
    Map<String, CelType> v = new LinkedHashMap<>(vars);
    v.put(name, type);
    return new Scope(v);
  }

  /**
   * This scope where templates may insert the secrets named {@code names} as {@code ${{
   * secrets.NAME }}} (see {@link Secrets}); other scopes refuse secrets.
   */
  public Scope withSecrets(Set<String> names) {
    return new Scope(this, Optional.of(Set.copyOf(names)));
  }

  /**
   * The secret names templates compiled in this scope may insert; empty when secrets are not
   * allowed here.
   */
  public Optional<Set<String>> secrets() {
    return secrets;
  }

  public Map<String, CelType> variables() {
    return vars;
  }

  /** The outcome of compiling one expression: the expression, or the problems (never both). */
  public record Result(Optional<Expression> expression, List<ExprError> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  /**
   * Parses and type-checks {@code source}. {@code steps} vets each {@code steps.X} it reads. Errors
   * carry 0-based offsets into {@code source}.
   */
  public Result compile(String source, StepAccess steps) {
    if (source.isBlank()) {
      return failed(new ExprError(0, "empty expression"));
    }
    if (source.codePointCount(0, source.length()) > MAX_SOURCE_CHARS) {
      return failed(
          new ExprError(0, "expression is longer than " + MAX_SOURCE_CHARS + " characters"));
    }
    CelValidationResult parsed = cel.parse(source);
    if (parsed.hasError()) {
      return failed(issues(parsed, source));
    }
    CelAbstractSyntaxTree ast;
    try {
      ast = parsed.getAst();
    } catch (CelValidationException e) {
      return failed(new ExprError(0, e.getMessage()));
    }
    List<ExprError> stepErrors = stepReferences(ast, source, steps);
    if (!stepErrors.isEmpty()) {
      return failed(stepErrors);
    }
    CelValidationResult checked = cel.check(ast);
    if (checked.hasError()) {
      return failed(issues(checked, source));
    }
    try {
      CelAbstractSyntaxTree typed = checked.getAst();
      return new Result(
          Optional.of(new Expression(source, typed.getResultType(), cel.createProgram(typed))),
          List.of());
    } catch (CelValidationException | CelEvaluationException e) {
      return failed(new ExprError(0, e.getMessage()));
    }
  }

  private static Result failed(ExprError e) {
    return new Result(Optional.empty(), List.of(e));
  }

  private static Result failed(List<ExprError> errors) {
    return new Result(Optional.empty(), List.copyOf(errors));
  }

  private static List<ExprError> issues(CelValidationResult r, String source) {
    List<ExprError> out = new ArrayList<>();
    for (CelIssue issue : r.getErrors()) {
      int offset = r.getSource().getLocationOffset(issue.getSourceLocation()).orElse(0);
      out.add(
          new ExprError(Math.max(0, Math.min(offset, source.length())), tidy(issue.getMessage())));
    }
    return out;
  }

  /** CEL's parser lists every token it expected; keep the message short enough to read. */
  private static String tidy(String message) {
    int expecting = message.indexOf(" expecting {");
    return expecting > 0
        ? message.substring(0, expecting)
        : message.replace(" (in container '')", "");
  }

  private static List<ExprError> stepReferences(
      CelAbstractSyntaxTree ast, String source, StepAccess steps) {
    List<ExprError> out = new ArrayList<>();
    Map<Long, Integer> positions = ast.getSource().getPositionsMap();
    CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .forEach(
            node -> {
              CelExpr e = node.expr();
              if (e.getKind() == CelExpr.ExprKind.Kind.SELECT
                  && e.select().operand().getKind() == CelExpr.ExprKind.Kind.IDENT
                  && e.select().operand().ident().name().equals("steps")) {
                String id = e.select().field();
                steps
                    .problem(id)
                    .ifPresent(
                        p ->
                            out.add(
                                new ExprError(
                                    offset(positions, e.select().operand().id(), source), p)));
              } else if (e.getKind() == CelExpr.ExprKind.Kind.IDENT
                  && e.ident().name().equals("steps")
                  && !isSelectOperand(node)) {
                // steps["x"] or size(steps): the id cannot be checked, so it is refused
                out.add(
                    new ExprError(
                        offset(positions, e.id(), source),
                        "read a step as steps.<id>, e.g. steps.probe.status"));
              }
            });
    return out;
  }

  private static boolean isSelectOperand(CelNavigableExpr node) {
    return node.parent().map(p -> p.expr().getKind() == CelExpr.ExprKind.Kind.SELECT).orElse(false);
  }

  private static int offset(Map<Long, Integer> positions, long id, String source) {
    Integer p = positions.get(id);
    return p == null
        ? 0
        : source.offsetByCodePoints(0, Math.min(p, source.codePointCount(0, source.length())));
  }

  private static void collectStructs(CelType t, Map<String, CelType> out) {
    if (t instanceof StructType s) {
      if (out.putIfAbsent(s.name(), s) == null) {
        s.fieldNames()
            .forEach(f -> s.findField(f).ifPresent(field -> collectStructs(field.type(), out)));
      }
    }
    t.parameters().forEach(p -> collectStructs(p, out));
  }
}
