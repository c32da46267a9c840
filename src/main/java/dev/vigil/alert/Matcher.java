package dev.vigil.alert;

import dev.vigil.config.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One label matcher in Alertmanager's syntax: {@code name = "value"}, {@code name != "value"},
 * {@code name =~ "regex"}, {@code name !~ "regex"}. Values may be double-quoted (with {@code \"},
 * {@code \\} and {@code \n} escapes) or bare ({@code severity=critical}).
 *
 * <p>As in Alertmanager, a regex is RE2 (see {@link LabelRegex}) and must match the whole value (it
 * is anchored as {@code ^(?:re)$}), and a missing label reads as the empty string, so {@code team
 * != "eu"} holds for an alert with no {@code team} label and {@code team = ""} holds only for one
 * without it. Immutable and thread-safe; the one implementation used by classification, runbooks
 * and heartbeats.
 */
public final class Matcher {

  /** The four operators, with what each does to a label value. */
  public enum Op {
    EQ("="),
    NE("!="),
    RE("=~"),
    NRE("!~");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public boolean isRegex() {
      return this == RE || this == NRE;
    }
  }

  private final String name;
  private final Op op;
  private final String value;
  private final LabelRegex regex; // null unless op is a regex op

  private Matcher(String name, Op op, String value, LabelRegex regex) {
    this.name = name;
    this.op = op;
    this.value = value;
    this.regex = regex;
  }

  /** A matcher built in code; a bad regex throws {@link MatcherSyntaxException}. */
  public static Matcher of(String name, Op op, String value) {
    return parse(name + op.symbol() + quote(value));
  }

  /**
   * Parses one matcher by Alertmanager's rules (its classic {@code ParseMatcher}): a label name, an
   * operator, then the rest of the text, trimmed, as the value. A value that starts with {@code "}
   * must end with one; inside, {@code \"}, {@code \\} and {@code \n} are escapes and a backslash
   * before anything else stays a backslash (so {@code "\d+"} is the regex {@code \d+}). An
   * unescaped {@code "} elsewhere is an error, and so is an empty value. As in Alertmanager, {@code
   * a==b} is {@code a} equal to {@code "=b"}.
   *
   * @throws MatcherSyntaxException with the 0-based offset of the problem
   */
  public static Matcher parse(String text) {
    Objects.requireNonNull(text, "text");
    int i = skipSpace(text, 0);
    int nameStart = i;
    if (i >= text.length() || !isNameStart(text.charAt(i))) {
      throw new MatcherSyntaxException(
          text,
          i,
          i >= text.length()
              ? "expected a label name"
              : "expected a label name, found '" + text.charAt(i) + "'");
    }
    while (i < text.length() && isNamePart(text.charAt(i))) {
      i++;
    }
    String name = text.substring(nameStart, i);
    i = skipSpace(text, i);
    Op op;
    if (text.startsWith("=~", i)) {
      op = Op.RE;
    } else if (text.startsWith("=", i)) {
      op = Op.EQ;
    } else if (text.startsWith("!=", i)) {
      op = Op.NE;
    } else if (text.startsWith("!~", i)) {
      op = Op.NRE;
    } else {
      throw new MatcherSyntaxException(
          text, i, "expected one of =, !=, =~, !~ after label name \"" + name + "\"");
    }
    int rawStart = skipSpace(text, i + op.symbol().length());
    int rawEnd = text.length();
    while (rawEnd > rawStart && isSpace(text.charAt(rawEnd - 1))) {
      rawEnd--;
    }
    if (rawStart == rawEnd) {
      throw new MatcherSyntaxException(
          text,
          rawStart,
          "missing value after "
              + op.symbol()
              + " (write "
              + name
              + op.symbol()
              + "\"\" for an empty or missing label)");
    }
    boolean quoted = text.charAt(rawStart) == '"';
    int from = quoted ? rawStart + 1 : rawStart;
    // source[k] is where value character k came from, so a regex error can point into the text
    int[] source = new int[rawEnd - from + 1];
    StringBuilder sb = new StringBuilder(rawEnd - from);
    boolean closed = !quoted;
    for (int j = from; j < rawEnd; j++) {
      char c = text.charAt(j);
      if (c == '\\' && j + 1 < rawEnd) {
        char e = text.charAt(j + 1);
        source[sb.length()] = j;
        switch (e) {
          case 'n' -> sb.append('\n');
          case '"', '\\' -> sb.append(e);
          default -> {
            sb.append('\\'); // not an escape: the backslash stands for itself
            source[sb.length()] = j + 1;
            sb.append(e);
          }
        }
        j++;
      } else if (c == '"') {
        if (!quoted || j != rawEnd - 1) {
          char first = text.charAt(rawStart);
          if (first == '=' || first == '~') {
            // a==b parses (the value is "=b"), but a == "b" is a typo: point at the operator's
            // extra character
            throw new MatcherSyntaxException(
                text,
                rawStart,
                "unexpected '"
                    + first
                    + "' after operator "
                    + op.symbol()
                    + " (operators are =, !=, =~, !~; as in Alertmanager, the '"
                    + first
                    + "' would start the value, whose '\"' is not escaped)");
          }
          throw new MatcherSyntaxException(
              text,
              j,
              quoted
                  ? "a quoted value ends at its closing '\"', the last character (write \\\" for a quote inside it)"
                  : "unescaped '\"' in a bare value (quote the whole value, or write \\\")");
        }
        closed = true;
      } else {
        source[sb.length()] = j;
        sb.append(c);
      }
    }
    if (!closed) {
      throw new MatcherSyntaxException(
          text, rawStart, "unterminated quoted value (no closing '\"')");
    }
    String value = sb.toString();
    source[value.length()] = quoted ? rawEnd - 1 : rawEnd;
    LabelRegex regex = null;
    if (op.isRegex()) {
      try {
        regex = LabelRegex.compile(value);
      } catch (LabelRegex.SyntaxError e) {
        throw new MatcherSyntaxException(text, source[e.offset], e.reason);
      }
    }
    return new Matcher(name, op, value, regex);
  }

  /**
   * Parses one entry that may hold several matchers, as Alertmanager reads each entry of its {@code
   * matchers:} lists (its {@code ParseMatchers}): an optional leading {@code {} and trailing {@code
   * }}, matchers separated by commas outside double quotes, a trailing comma allowed. Offsets in
   * errors are into {@code text}. Text with no matcher at all is an error here (in Alertmanager it
   * is an empty list, which would match every alert).
   *
   * @throws MatcherSyntaxException with the 0-based offset of the problem
   */
  public static List<Matcher> parseList(String text) {
    Objects.requireNonNull(text, "text");
    int from = text.startsWith("{") ? 1 : 0;
    int to = text.length() > from && text.endsWith("}") ? text.length() - 1 : text.length();
    List<Matcher> out = new ArrayList<>();
    boolean inQuotes = false;
    boolean escaped = false;
    int tokenStart = from;
    for (int i = from; i <= to; i++) {
      char c = i < to ? text.charAt(i) : ',';
      if (c == ',' && (!inQuotes || i == to)) {
        boolean last = i == to;
        String token = text.substring(tokenStart, i);
        if (!last || !token.isBlank()) {
          out.add(parseAt(text, tokenStart, token));
        }
        tokenStart = i + 1;
        continue;
      }
      // Alertmanager's splitter, state for state: a comma inside quotes leaves 'escaped' as it was
      if (c == '"') {
        if (!escaped) {
          inQuotes = !inQuotes;
        } else {
          escaped = false;
        }
      } else if (c == '\\') {
        escaped = !escaped;
      } else if (c != ',') {
        escaped = false;
      }
    }
    if (out.isEmpty()) {
      throw new MatcherSyntaxException(
          text, skipSpace(text, from), "no matcher here (write one, e.g. alertname=\"X\")");
    }
    return List.copyOf(out);
  }

  private static Matcher parseAt(String text, int start, String token) {
    try {
      return parse(token);
    } catch (MatcherSyntaxException e) {
      throw new MatcherSyntaxException(text, start + e.offset(), e.reason());
    }
  }

  /**
   * Reads a YAML list of matcher entries (a classification rule's or heartbeat's {@code match}),
   * each read by {@link #parseList}. Each bad entry is reported where its problem is, as {@code
   * file:line:col: path[i]: bad matcher "...": reason (at character n)}; the good ones are
   * returned, so one pass reports every problem.
   */
  public static List<Matcher> readAll(YamlNode list) {
    List<Matcher> out = new ArrayList<>();
    for (YamlNode item : list.items()) {
      item.string()
          .ifPresent(
              s -> {
                try {
                  out.addAll(parseList(s));
                } catch (MatcherSyntaxException e) {
                  // the column is exact only when the text is the file's (no ${env:...} substituted
                  // into it)
                  item.errorAt(s.equals(item.text()) ? e.offset() : 0, e.getMessage());
                }
              });
    }
    return List.copyOf(out);
  }

  /** True when every matcher holds (an empty list matches everything). */
  public static boolean matchesAll(List<Matcher> matchers, Map<String, String> labels) {
    for (Matcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the label set satisfies this matcher; a missing label is the empty string. */
  public boolean matches(Map<String, String> labels) {
    String v = labels.getOrDefault(name, "");
    if (v == null) {
      v = "";
    }
    return switch (op) {
      case EQ -> v.equals(value);
      case NE -> !v.equals(value);
      case RE -> regex.matches(v);
      case NRE -> !regex.matches(v);
    };
  }

  public String name() {
    return name;
  }

  public Op op() {
    return op;
  }

  public String value() {
    return value;
  }

  /** The value this matcher pins its label to, if its operator is {@code =}. */
  public Optional<String> exactValue() {
    return op == Op.EQ ? Optional.of(value) : Optional.empty();
  }

  private static boolean isNameStart(char c) {
    return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Alertmanager's (Go's) {@code \s}: ASCII space, tab, newline, form feed, carriage return. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
  }

  private static String quote(String v) {
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  /** The canonical form, which {@link #parse} reads back: {@code name=~"value"}. */
  @Override
  public String toString() {
    return name + op.symbol() + quote(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && m.name.equals(name) && m.op == op && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, op, value);
  }
}
