package dev.vigil.alert;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The regular expression of an {@code =~} or {@code !~} matcher, with Alertmanager's meaning: RE2
 * syntax (Go's {@code regexp}, here RE2/J), anchored as {@code ^(?:re)$}, default flags (so {@code
 * .} does not match a newline). Immutable and thread-safe.
 *
 * <p>Matching runs once per matcher per alert, so the shapes users mostly write (literals,
 * alternations of literals, a literal with a leading or trailing {@code .*}) are answered by string
 * comparison without allocating; RE2/J answers the rest. Both give the same answer: the short cut
 * is only taken for expressions whose RE2 meaning is exactly that comparison (a property test
 * checks them against RE2/J). RE2/J's answers (about 1 µs each, against 0.1–0.2 µs for {@code
 * java.util.regex}) are remembered per value in a small fixed table, as Alertmanager remembers them
 * (its table is unbounded): label values repeat from alert to alert.
 */
final class LabelRegex {

  /** A regex RE2 refuses: where in the expression (0-based) and why. */
  static final class SyntaxError extends Exception {
    final int offset;
    final String reason;

    SyntaxError(int offset, String reason) {
      super(reason, null, false, false);
      this.offset = offset;
      this.reason = reason;
    }
  }

  private static final String PREFIX = "^(?:";
  private static final String META = "\\.+*?()|[]{}^$";

  private static final int REMEMBERED = 64; // a power of two
  private static final int REMEMBERED_LENGTH = 256;

  private final Pattern pattern;
  // RE2/J's recent answers, by value hash; racy by design: an answer is immutable, a lost or unseen
  // write only means asking RE2/J again
  private final Answer[] answers;
  // the short cut, or null: one entry per alternative
  private final String[] literals;
  private final boolean[] anyBefore;
  private final boolean[] anyAfter;

  private record Answer(String value, boolean matched) {}

  private LabelRegex(Pattern pattern, List<Alternative> alternatives) {
    this.pattern = pattern;
    this.answers = alternatives == null ? new Answer[REMEMBERED] : null;
    if (alternatives == null) {
      literals = null;
      anyBefore = null;
      anyAfter = null;
    } else {
      int n = alternatives.size();
      literals = new String[n];
      anyBefore = new boolean[n];
      anyAfter = new boolean[n];
      for (int i = 0; i < n; i++) {
        literals[i] = alternatives.get(i).literal;
        anyBefore[i] = alternatives.get(i).anyBefore;
        anyAfter[i] = alternatives.get(i).anyAfter;
      }
    }
  }

  /** Compiles {@code re} as Alertmanager does; a regex RE2 refuses is a {@link SyntaxError}. */
  static LabelRegex compile(String re) throws SyntaxError {
    String anchored = PREFIX + re + ")$";
    Pattern p;
    try {
      p = Pattern.compile(anchored);
    } catch (PatternSyntaxException e) {
      throw explain(re, anchored, e);
    }
    return new LabelRegex(p, shortCut(re));
  }

  /** Whether the whole of {@code value} matches. */
  boolean matches(String value) {
    if (literals == null) {
      return remembered(value);
    }
    for (int i = 0; i < literals.length; i++) {
      if (matchesAlternative(value, literals[i], anyBefore[i], anyAfter[i])) {
        return true;
      }
    }
    return false;
  }

  private boolean remembered(String value) {
    if (value.length() > REMEMBERED_LENGTH) {
      return pattern.matches(value);
    }
    int h = value.hashCode();
    int slot = (h ^ (h >>> 16)) & (REMEMBERED - 1);
    Answer a = answers[slot];
    if (a != null && a.value.equals(value)) {
      return a.matched;
    }
    boolean matched = pattern.matches(value);
    answers[slot] = new Answer(value, matched);
    return matched;
  }

  /** True when matching is a string comparison (for tests). */
  boolean isShortCut() {
    return literals != null;
  }

  private static boolean matchesAlternative(String v, String lit, boolean before, boolean after) {
    if (!before && !after) {
      return v.equals(lit);
    }
    if (before && after) {
      return noNewline(v, 0, v.length()) && v.contains(lit);
    }
    if (after) {
      return v.startsWith(lit) && noNewline(v, lit.length(), v.length());
    }
    return v.endsWith(lit) && noNewline(v, 0, v.length() - lit.length());
  }

  private static boolean noNewline(String v, int from, int to) {
    for (int i = from; i < to; i++) {
      if (v.charAt(i) == '\n') {
        return false;
      }
    }
    return true;
  }

  private record Alternative(String literal, boolean anyBefore, boolean anyAfter) {}

  /**
   * The alternatives of {@code re} when each is {@code [.*]literal[.*]}, with literal characters or
   * escaped ASCII punctuation; null for anything else (groups, classes, flags, other operators).
   */
  private static List<Alternative> shortCut(String re) {
    List<Alternative> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= re.length(); i++) {
      if (i == re.length() || re.charAt(i) == '|') {
        Alternative a = alternative(re.substring(start, i));
        if (a == null) {
          return null;
        }
        out.add(a);
        start = i + 1;
      } else if (re.charAt(i) == '\\') {
        i++; // an escaped '|' is a literal, not a split
      }
    }
    return out;
  }

  private static Alternative alternative(String alt) {
    int i = 0;
    int end = alt.length();
    boolean before = alt.startsWith(".*");
    if (before) {
      i = 2;
    }
    boolean after = false;
    StringBuilder lit = new StringBuilder();
    while (i < end) {
      char c = alt.charAt(i);
      if (c == '\\') {
        if (i + 1 < end && isEscapedPunctuation(alt.charAt(i + 1))) {
          lit.append(alt.charAt(i + 1));
          i += 2;
          continue;
        }
        return null;
      }
      if (c == '.' && i + 2 == end && alt.charAt(i + 1) == '*') {
        after = true;
        break;
      }
      if (META.indexOf(c) >= 0 || c == '\n') {
        return null;
      }
      lit.append(c);
      i++;
    }
    return new Alternative(lit.toString(), before, after);
  }

  /** RE2 reads a backslash before ASCII punctuation as that character itself. */
  private static boolean isEscapedPunctuation(char c) {
    return c > 0x20 && c < 0x7f && !Character.isLetterOrDigit(c);
  }

  /**
   * Turns RE2/J's complaint (which quotes the rest of the anchored expression from the bad spot)
   * into an offset in the user's expression, with a hint for the constructs people bring from Java,
   * PCRE or Python: lookaround and backreferences.
   */
  private static SyntaxError explain(String re, String anchored, PatternSyntaxException e) {
    String fragment = e.getPattern() == null ? "" : e.getPattern();
    int at = fragment.isEmpty() ? -1 : anchored.indexOf(fragment);
    int offset = at < 0 ? 0 : Math.max(0, Math.min(re.length(), at - PREFIX.length()));
    if (e.getDescription().startsWith("missing closing )")) {
      offset = unclosedParen(re); // RE2 quotes the whole expression; point at the '(' left open
    }
    String rest = re.substring(offset);
    String reason;
    if (rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
      reason = "lookbehind " + rest.substring(0, 4) + "...) is not supported";
    } else if (rest.startsWith("(?=") || rest.startsWith("(?!")) {
      reason = "lookahead " + rest.substring(0, 3) + "...) is not supported";
    } else if (rest.length() >= 2 && rest.charAt(0) == '\\' && Character.isDigit(rest.charAt(1))) {
      reason = "backreference " + rest.substring(0, 2) + " is not supported";
    } else {
      String shown = fragment.equals(anchored) ? "" : ": `" + trimAnchor(fragment) + "`";
      reason = e.getDescription() + shown;
    }
    return new SyntaxError(
        offset, "invalid regular expression (RE2 syntax, as in Alertmanager): " + reason);
  }

  /** The last '(' without its ')', skipping escapes and character classes; 0 when there is none. */
  private static int unclosedParen(String re) {
    ArrayDeque<Integer> open = new ArrayDeque<>();
    boolean inClass = false;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\') {
        i++;
      } else if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          i++; // a ']' first in a class is a member
        }
      } else if (c == '(') {
        open.push(i);
      } else if (c == ')' && !open.isEmpty()) {
        open.pop();
      }
    }
    return open.isEmpty() ? 0 : open.peek();
  }

  private static String trimAnchor(String fragment) {
    return fragment.endsWith(")$") ? fragment.substring(0, fragment.length() - 2) : fragment;
  }
}
