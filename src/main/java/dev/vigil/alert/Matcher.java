package dev.vigil.alert;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One Alertmanager label matcher: {@code name op "value"} with the operators {@code =}, {@code !=},
 * {@code =~} and {@code !~}. Regular expressions are fully anchored, as in Alertmanager, so
 * {@code severity =~ "warn"} does not match {@code warning}. A label that is absent reads as the
 * empty string, so {@code team != "eu"} holds for an alert with no team.
 *
 * <p>Values may be double-quoted (with {@code \"}, {@code \\} and {@code \n} escapes) or bare
 * (the rest of the text, trimmed). Label names may be bare identifiers or double-quoted.
 *
 * <p>Written for runbook {@code match:} lists while classification rules are built in parallel;
 * there is one {@code Matcher} in the codebase and both use it.
 */
public record Matcher(String name, Op op, String value, Pattern regex) {

  /** How a label value is compared. */
  public enum Op {
    EQ("="), NEQ("!="), RE("=~"), NRE("!~");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    boolean isRegex() {
      return this == RE || this == NRE;
    }
  }

  /** A matcher that does not parse; {@link #column()} is 1-based within the matcher text. */
  public static final class ParseException extends IllegalArgumentException {
    private final int column;

    public ParseException(int column, String message) {
      super(message);
      this.column = column;
    }

    public int column() {
      return column;
    }
  }

  public Matcher {
    Objects.requireNonNull(name);
    Objects.requireNonNull(op);
    Objects.requireNonNull(value);
  }

  /** A matcher built in code; regular expressions are compiled (and must be valid). */
  public static Matcher of(String name, Op op, String value) {
    return new Matcher(name, op, value, op.isRegex() ? Pattern.compile(anchored(value)) : null);
  }

  /** Parses {@code name op value}; throws {@link ParseException} saying where and why it does not. */
  public static Matcher parse(String text) {
    int i = skipSpace(text, 0);
    if (i >= text.length()) {
      throw new ParseException(1, "empty matcher: write name = \"value\" (operators: =, !=, =~, !~)");
    }
    String name;
    if (text.charAt(i) == '"') {
      Quoted q = quoted(text, i);
      name = q.value;
      i = q.end;
      if (name.isEmpty()) {
        throw new ParseException(i, "label name is empty");
      }
    } else {
      int start = i;
      if (!isNameStart(text.charAt(i))) {
        throw new ParseException(i + 1, "expected a label name, got '" + text.charAt(i) + "'");
      }
      while (i < text.length() && isNamePart(text.charAt(i))) {
        i++;
      }
      name = text.substring(start, i);
    }
    i = skipSpace(text, i);
    if (i >= text.length()) {
      throw new ParseException(i + 1, "expected an operator (=, !=, =~, !~) after \"" + name + "\"");
    }
    Op op;
    if (text.startsWith("=~", i)) {
      op = Op.RE;
    } else if (text.startsWith("!~", i)) {
      op = Op.NRE;
    } else if (text.startsWith("!=", i)) {
      op = Op.NEQ;
    } else if (text.startsWith("==", i)) {
      throw new ParseException(i + 1, "\"==\" is not an operator: use = (operators: =, !=, =~, !~)");
    } else if (text.charAt(i) == '=') {
      op = Op.EQ;
    } else {
      throw new ParseException(i + 1, "expected an operator (=, !=, =~, !~), got '" + text.charAt(i) + "'");
    }
    i = skipSpace(text, i + op.symbol().length());
    String value;
    int valueCol = i + 1;
    if (i < text.length() && text.charAt(i) == '"') {
      Quoted q = quoted(text, i);
      value = q.value;
      int end = skipSpace(text, q.end);
      if (end < text.length()) {
        throw new ParseException(end + 1, "unexpected text after the closing quote: \"" + text.substring(end) + "\"");
      }
    } else {
      value = text.substring(i).trim();
      if (value.indexOf('"') >= 0) {
        throw new ParseException(i + 1 + value.indexOf('"'), "a value with a quote must be quoted as a whole");
      }
    }
    Pattern regex = null;
    if (op.isRegex()) {
      try {
        regex = Pattern.compile(anchored(value));
      } catch (PatternSyntaxException e) {
        throw new ParseException(valueCol, "bad regular expression \"" + value + "\": " + e.getDescription());
      }
    }
    return new Matcher(name, op, value, regex);
  }

  /** True when the labels satisfy this matcher (an absent label is the empty string). */
  public boolean matches(Map<String, String> labels) {
    String v = labels.getOrDefault(name, "");
    return switch (op) {
      case EQ -> v.equals(value);
      case NEQ -> !v.equals(value);
      case RE -> regex.matcher(v).matches();
      case NRE -> !regex.matcher(v).matches();
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && m.name.equals(name) && m.op == op && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, op, value);
  }

  /** The canonical text, which {@link #parse} reads back to an equal matcher. */
  @Override
  public String toString() {
    String n = name.matches("[a-zA-Z_][a-zA-Z0-9_]*") ? name : quote(name);
    return n + " " + op.symbol() + " " + quote(value);
  }

  private static String anchored(String re) {
    return "^(?:" + re + ")$";
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  private record Quoted(String value, int end) {}

  private static Quoted quoted(String text, int open) {
    StringBuilder sb = new StringBuilder();
    int i = open + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"') {
        return new Quoted(sb.toString(), i + 1);
      }
      if (c == '\\') {
        if (i + 1 >= text.length()) {
          break;
        }
        char e = text.charAt(i + 1);
        switch (e) {
          case '"', '\\' -> sb.append(e);
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          default -> throw new ParseException(i + 1, "unknown escape \\" + e + " (use \\\", \\\\ or \\n)");
        }
        i += 2;
        continue;
      }
      sb.append(c);
      i++;
    }
    throw new ParseException(open + 1, "unterminated quoted string");
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isNameStart(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }
}
