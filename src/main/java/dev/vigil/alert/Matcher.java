package dev.vigil.alert;

import dev.vigil.config.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher in Alertmanager's syntax: {@code name = "value"}, {@code name != "value"},
 * {@code name =~ "regex"}, {@code name !~ "regex"}. Values may be double-quoted (with {@code \"},
 * {@code \\} and {@code \n} escapes) or bare ({@code severity=critical}).
 *
 * <p>As in Alertmanager, a regex must match the whole value (it is anchored as {@code ^(?:re)$}),
 * and a missing label reads as the empty string, so {@code team != "eu"} holds for an alert with
 * no {@code team} label and {@code team = ""} holds only for one without it. Immutable and
 * thread-safe; the one implementation used by classification, runbooks and heartbeats.
 */
public final class Matcher {

  /** The four operators, with what each does to a label value. */
  public enum Op {
    EQ("="), NE("!="), RE("=~"), NRE("!~");

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
  private final Pattern pattern; // null unless op is a regex op

  private Matcher(String name, Op op, String value, Pattern pattern) {
    this.name = name;
    this.op = op;
    this.value = value;
    this.pattern = pattern;
  }

  /** A matcher built in code; a bad regex throws {@link MatcherSyntaxException}. */
  public static Matcher of(String name, Op op, String value) {
    return parse(name + op.symbol() + quote(value));
  }

  /**
   * Parses one matcher.
   *
   * @throws MatcherSyntaxException with the 0-based offset of the problem
   */
  public static Matcher parse(String text) {
    Objects.requireNonNull(text, "text");
    int i = skipSpace(text, 0);
    int nameStart = i;
    if (i >= text.length() || !isNameStart(text.charAt(i))) {
      throw new MatcherSyntaxException(text, i,
          i >= text.length() ? "expected a label name" : "expected a label name, found '" + text.charAt(i) + "'");
    }
    while (i < text.length() && isNamePart(text.charAt(i))) {
      i++;
    }
    String name = text.substring(nameStart, i);
    i = skipSpace(text, i);
    Op op;
    if (text.startsWith("=~", i)) {
      op = Op.RE;
    } else if (text.startsWith("!~", i)) {
      op = Op.NRE;
    } else if (text.startsWith("!=", i)) {
      op = Op.NE;
    } else if (text.startsWith("=", i)) {
      op = Op.EQ;
    } else {
      throw new MatcherSyntaxException(text, i, "expected one of =, !=, =~, !~ after label name \"" + name + "\"");
    }
    int afterOp = i + op.symbol().length();
    if (afterOp < text.length() && (text.charAt(afterOp) == '=' || text.charAt(afterOp) == '~')) {
      throw new MatcherSyntaxException(text, afterOp, "unexpected '" + text.charAt(afterOp) + "' after operator " + op.symbol()
          + " (operators are =, !=, =~, !~)");
    }
    i = skipSpace(text, afterOp);
    int valueStart = i;
    String value;
    if (i < text.length() && text.charAt(i) == '"') {
      StringBuilder sb = new StringBuilder();
      int j = i + 1;
      boolean closed = false;
      while (j < text.length()) {
        char c = text.charAt(j);
        if (c == '\\') {
          if (j + 1 >= text.length()) {
            break;
          }
          char e = text.charAt(j + 1);
          switch (e) {
            case '\\' -> sb.append('\\');
            case '"' -> sb.append('"');
            case 'n' -> sb.append('\n');
            default -> throw new MatcherSyntaxException(text, j, "unknown escape \\" + e + " (use \\\\, \\\" or \\n)");
          }
          j += 2;
        } else if (c == '"') {
          closed = true;
          j++;
          break;
        } else {
          sb.append(c);
          j++;
        }
      }
      if (!closed) {
        throw new MatcherSyntaxException(text, i, "unterminated quoted value");
      }
      int rest = skipSpace(text, j);
      if (rest < text.length()) {
        throw new MatcherSyntaxException(text, rest, "unexpected text after the quoted value");
      }
      value = sb.toString();
      valueStart = i + 1;
    } else {
      value = text.substring(i).strip();
      if (value.indexOf('"') >= 0) {
        throw new MatcherSyntaxException(text, i + value.indexOf('"'), "a bare value cannot contain '\"'; quote the whole value");
      }
    }
    Pattern pattern = null;
    if (op.isRegex()) {
      try {
        pattern = Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL);
      } catch (PatternSyntaxException e) {
        int at = e.getIndex() < 0 ? 0 : Math.max(0, Math.min(value.length(), e.getIndex() - 4));
        throw new MatcherSyntaxException(text, valueStart + at, "invalid regular expression: " + e.getDescription());
      }
    }
    return new Matcher(name, op, value, pattern);
  }

  /**
   * Reads a YAML list of matcher strings (a runbook's or rule's {@code match}). Each bad matcher is
   * reported at its own list entry as {@code path[i]: bad matcher "...": reason (at character n)};
   * the good ones are returned, so one pass reports every problem.
   */
  public static List<Matcher> readAll(YamlNode list) {
    List<Matcher> out = new ArrayList<>();
    for (YamlNode item : list.items()) {
      item.string().ifPresent(s -> {
        try {
          out.add(parse(s));
        } catch (MatcherSyntaxException e) {
          item.error(e.getMessage());
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
      case RE -> pattern.matcher(v).matches();
      case NRE -> !pattern.matcher(v).matches();
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
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
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
