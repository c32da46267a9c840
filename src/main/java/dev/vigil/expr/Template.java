package dev.vigil.expr;

import dev.vigil.config.Suggest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A string with {@code ${{ expr }}} holes, compiled once at load.
 *
 * <p>Inserted values come from alerts and are untrusted, so they never change the structure around
 * them: the caller says where the string goes ({@link Insertion}) and each value is encoded for
 * that place. A template that is exactly one hole keeps the expression's type ({@link #value}).
 */
public final class Template {
  /**
   * Longest text a template may render to; beyond it rendering fails instead of growing without
   * bound.
   */
  public static final int MAX_RENDERED_CHARS = 64 * 1024;

  /** Where a rendered string is used, which decides how inserted values are encoded. */
  public enum Insertion {
    /** Message text, JSON string values: the value as it is. */
    TEXT,
    /** One element of an exec argv: the value as it is, never split; NUL is refused. */
    ARGV,
    /** Part of a URL: the value is percent-encoded (RFC 3986 unreserved characters stay). */
    URL,
    /** An HTTP header value: CR, LF and NUL are refused (no header injection). */
    HEADER,
    /**
     * Slack text (mrkdwn): {@code & < >} escaped, so a value never becomes a mention ({@code
     * <!channel>}) or a link; the runbook's own text keeps its markup.
     */
    SLACK
  }

  /** A piece of a template: literal text, one expression, or one secret. */
  public sealed interface Part permits Literal, Hole, SecretRef {}

  public record Literal(String text) implements Part {}

  /** An expression and the 0-based offset of its source in the template text. */
  public record Hole(Expression expression, int offset) implements Part {}

  /**
   * {@code ${{ secrets.NAME }}}: a value from {@code runbooks.secrets}, inserted whole (never part
   * of an expression, so nothing can slice it past the redaction; see {@link Secrets}).
   */
  public record SecretRef(String name, int offset) implements Part {}

  private static final Pattern SECRET_REF = Pattern.compile("secrets\\.([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern MENTIONS_SECRETS =
      Pattern.compile("(?<![A-Za-z0-9_.'\"])secrets\\s*[.\\[]");

  private final String source;
  private final List<Part> parts;

  private Template(String source, List<Part> parts) {
    this.source = source;
    this.parts = List.copyOf(parts);
  }

  /** A template with no holes. */
  public static Template literal(String text) {
    return new Template(text, text.isEmpty() ? List.of() : List.of(new Literal(text)));
  }

  /** The outcome of compiling: the template, or errors with offsets into the text. */
  public record Result(Optional<Template> template, List<ExprError> errors) {}

  /** Finds the holes in {@code text} and compiles each in {@code scope}. */
  public static Result compile(String text, Scope scope, Scope.StepAccess steps) {
    List<Part> parts = new ArrayList<>();
    List<ExprError> errors = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf("${{", i);
      if (open < 0) {
        parts.add(new Literal(text.substring(i)));
        break;
      }
      if (open > i) {
        parts.add(new Literal(text.substring(i, open)));
      }
      int close = closing(text, open + 3);
      if (close < 0) {
        errors.add(new ExprError(open, "\"${{\" is not closed with \"}}\""));
        break;
      }
      String inner = text.substring(open + 3, close);
      int lead = 0;
      while (lead < inner.length() && Character.isWhitespace(inner.charAt(lead))) {
        lead++;
      }
      int exprStart = open + 3 + lead;
      Matcher secret = SECRET_REF.matcher(inner.trim());
      if (secret.matches()) {
        secretRef(secret.group(1), exprStart, scope)
            .ifPresentOrElse(
                errors::add, () -> parts.add(new SecretRef(secret.group(1), exprStart)));
        i = close + 2;
        continue;
      }
      if (MENTIONS_SECRETS.matcher(inner).find()) {
        errors.add(
            new ExprError(
                exprStart,
                "secrets: a secret is inserted whole, as ${{ secrets.NAME }}; it cannot be part of an expression"));
        i = close + 2;
        continue;
      }
      Scope.Result r = scope.compile(inner.trim(), steps);
      if (inner.isBlank()) {
        errors.add(new ExprError(open, "empty ${{ }}"));
      } else if (r.ok()) {
        parts.add(new Hole(r.expression().orElseThrow(), exprStart));
      } else {
        r.errors().forEach(e -> errors.add(new ExprError(exprStart + e.offset(), e.message())));
      }
      i = close + 2;
    }
    return errors.isEmpty()
        ? new Result(Optional.of(new Template(text, parts)), List.of())
        : new Result(Optional.empty(), errors);
  }

  /** Empty when {@code scope} may insert the secret {@code name}, else why not. */
  private static Optional<ExprError> secretRef(String name, int offset, Scope scope) {
    if (scope.secrets().isEmpty()) {
      return Optional.of(
          new ExprError(
              offset,
              "secrets." + name + ": secrets can be inserted only in http, check and exec steps"));
    }
    Set<String> known = scope.secrets().get();
    if (!known.contains(name)) {
      String hint =
          Suggest.nearest(name, known).map(k -> " (did you mean \"" + k + "\"?)").orElse("");
      return Optional.of(
          new ExprError(
              offset,
              "secrets."
                  + name
                  + ": no secret \""
                  + name
                  + "\" in runbooks.secrets of vigil.yaml"
                  + hint
                  + (known.isEmpty() ? "; none is defined" : "")));
    }
    return Optional.empty();
  }

  /** True when {@code text} contains a {@code ${{}. */
  public static boolean hasHoles(String text) {
    return text.contains("${{");
  }

  /**
   * The end of a hole: the first {@code }}} outside string literals and outside braces opened
   * inside the expression (so {@code ${{ {"a": {"b": 1}} }}} works).
   */
  private static int closing(String text, int from) {
    int depth = 0;
    char quote = 0;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        if (depth == 0 && i + 1 < text.length() && text.charAt(i + 1) == '}') {
          return i;
        }
        depth = Math.max(0, depth - 1);
      }
    }
    return -1;
  }

  public String source() {
    return source;
  }

  public List<Part> parts() {
    return parts;
  }

  /** True when there is nothing to evaluate. */
  public boolean isConstant() {
    return parts.stream().allMatch(p -> p instanceof Literal);
  }

  /** True when the template is exactly one {@code ${{ }}} (surrounding whitespace aside). */
  public boolean isSingleHole() {
    return parts.size() == 1 && !(parts.get(0) instanceof Literal);
  }

  /** The expressions in this template, in order. */
  public List<Expression> expressions() {
    return parts.stream().filter(p -> p instanceof Hole).map(p -> ((Hole) p).expression()).toList();
  }

  /**
   * The template's value: the expression's own value (any type) when it is a single hole, else the
   * rendered text.
   */
  public Object value(Map<String, ?> bindings) throws EvalException {
    if (isSingleHole()) {
      return parts.get(0) instanceof SecretRef ref
          ? secret(ref, bindings)
          : ((Hole) parts.get(0)).expression().evaluate(bindings);
    }
    return render(bindings, Insertion.TEXT);
  }

  /** The text with each value encoded for {@code where}. */
  public String render(Map<String, ?> bindings, Insertion where) throws EvalException {
    StringBuilder sb = new StringBuilder();
    List<Inserted> inserted = new ArrayList<>();
    for (Part p : parts) {
      int start = sb.length();
      if (p instanceof Literal l) {
        sb.append(where == Insertion.URL ? urlLiteral(l.text()) : l.text());
      } else if (p instanceof SecretRef ref) {
        sb.append(encode(secret(ref, bindings), where, "secrets." + ref.name()));
        inserted.add(new Inserted(start, sb.length(), "secrets." + ref.name()));
      } else {
        Expression e = ((Hole) p).expression();
        sb.append(encode(Values.text(e.evaluate(bindings)), where, e.source()));
        inserted.add(new Inserted(start, sb.length(), e.source()));
      }
      if (sb.length() > MAX_RENDERED_CHARS) {
        throw new EvalException(
            "rendered text is longer than " + MAX_RENDERED_CHARS + " characters");
      }
    }
    String out = sb.toString();
    if (where == Insertion.URL) {
      refuseInsertedDotSegments(out, inserted);
    }
    return out;
  }

  /** Where one inserted value landed in the rendered text, and the expression that gave it. */
  private record Inserted(int start, int end, String source) {}

  /**
   * Refuses a URL whose path has a {@code .} or {@code ..} segment made (wholly or partly) by an
   * inserted value. Percent-encoding the dots would not keep them data: RFC 3986 (6.2.2.2) makes
   * {@code %2E} the same as {@code .}, and servers that normalise paths (Vert.x's router among
   * them) decode it and then remove the dot segment, so {@code /incidents/%2E%2E/timeline} still
   * reaches {@code /timeline}. A label can thus never move a request to another path.
   */
  private static void refuseInsertedDotSegments(String url, List<Inserted> inserted)
      throws EvalException {
    if (inserted.isEmpty()) {
      return;
    }
    int scheme = url.indexOf("://");
    int pathStart = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
    if (pathStart < 0) {
      return;
    }
    int pathEnd = url.length();
    for (int i = pathStart; i < url.length(); i++) {
      if (url.charAt(i) == '?' || url.charAt(i) == '#') {
        pathEnd = i;
        break;
      }
    }
    int segStart = pathStart + 1;
    for (int i = segStart; i <= pathEnd; i++) {
      if (i == pathEnd || url.charAt(i) == '/') {
        String segment = url.substring(segStart, i).replace("%2E", ".").replace("%2e", ".");
        if (segment.equals(".") || segment.equals("..")) {
          for (Inserted v : inserted) {
            if (v.start() < i && v.end() > segStart) {
              throw new EvalException(
                  "\""
                      + v.source()
                      + "\" makes the URL path segment \""
                      + segment
                      + "\", which would send the request to another path; a value inserted into a path may not be \".\" or \"..\"");
            }
          }
        }
        segStart = i + 1;
      }
    }
  }

  /**
   * Like {@link #render}, but a hole that cannot be evaluated yet (it reads a result that only a
   * run produces) stays as its {@code ${{ source }}} text. For dry runs and {@code vigil simulate}.
   */
  public String preview(Map<String, ?> bindings, Insertion where) {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Literal l) {
        sb.append(where == Insertion.URL ? urlLiteral(l.text()) : l.text());
      } else if (p instanceof SecretRef ref) {
        sb.append("${{ secrets.")
            .append(ref.name())
            .append(" }}"); // a preview never shows a secret
      } else {
        Expression e = ((Hole) p).expression();
        try {
          sb.append(encode(Values.text(e.evaluate(bindings)), where, e.source()));
        } catch (EvalException x) {
          sb.append("${{ ").append(e.source()).append(" }}");
        }
      }
    }
    return sb.toString();
  }

  /**
   * The secret's value, from the {@link Secrets} a try's bindings carry (never from stored
   * bindings).
   */
  private static String secret(SecretRef ref, Map<String, ?> bindings) throws EvalException {
    if (!(bindings.get(Secrets.BINDING) instanceof Secrets s)) {
      throw new EvalException("secrets." + ref.name() + " is inserted only when the step runs");
    }
    return s.value(ref.name())
        .orElseThrow(
            () ->
                new EvalException("secrets." + ref.name() + " is not defined in runbooks.secrets"));
  }

  private static String encode(String value, Insertion where, String source) throws EvalException {
    return switch (where) {
      case TEXT -> value;
      case ARGV -> {
        if (value.indexOf('\0') >= 0) {
          throw new EvalException(
              "\"" + source + "\" gave a value with a NUL character, which no argument can hold");
        }
        yield value;
      }
      case URL -> percentEncode(value);
      case SLACK -> Mrkdwn.escape(value);
      case HEADER -> {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
          throw new EvalException(
              "\"" + source + "\" gave a value with a line break, which a header cannot hold");
        }
        yield value;
      }
    };
  }

  /**
   * The literal parts of a URL as written, except characters a URL cannot hold ({@code "}, space,
   * braces, ...), which are percent-encoded, so a PromQL query can be written as it reads.
   * Characters that give a URL its structure ({@code / ? & = #}) and existing {@code %XX} escapes
   * are kept.
   */
  static String urlLiteral(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean keep =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "-._~:/?#[]@!$&'()*+,;=%".indexOf(c) >= 0;
      if (keep) {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** RFC 3986 percent-encoding of everything except the unreserved characters. */
  public static String percentEncode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return source;
  }
}
