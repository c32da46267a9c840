package dev.vigil.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a SQL script into its statements the way the database's own shell does ({@code psql},
 * {@code sqlite3}): a semicolon ends a statement only outside string literals, quoted identifiers,
 * comments, PostgreSQL dollar-quoted bodies ({@code $$ ... $$}, {@code $fn$ ... $fn$}),
 * parentheses, and the {@code BEGIN ... END} body of a SQLite trigger or of a PostgreSQL {@code
 * BEGIN ATOMIC} function. Each statement comes back in a canonical form: comments removed, and
 * every run of whitespace or comments between tokens written as one space; literals, quoted
 * identifiers and dollar-quoted bodies are kept byte for byte. So two scripts that differ only in
 * comments, layout or line endings give the same statements, which is what a migration's checksum
 * is taken over.
 *
 * <p>Pure and thread-safe. A script that ends inside a literal, identifier, comment or body is
 * refused with an {@link IllegalArgumentException} that names {@code file:line:col} of where the
 * unclosed part began.
 */
final class StatementSplitter {
  private final Dialect dialect;
  private final String file;
  private final String text;
  private final List<String> statements = new ArrayList<>();
  private final StringBuilder current = new StringBuilder();
  private boolean spaceDue;
  private int i;
  // Keywords at the start of the current statement (up to four), to know whether it has a BEGIN ...
  // END body.
  private final List<String> head = new ArrayList<>(4);
  private int parenDepth;
  private int bodyDepth;
  private int bodyStart;
  private int parenStart;

  private StatementSplitter(Dialect dialect, String file, String text) {
    this.dialect = dialect;
    this.file = file;
    this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * The statements of {@code text}, in order, without their ending semicolons; empty statements (a
   * lone {@code ;}, a script of comments) are left out. {@code file} names the script in errors.
   */
  static List<String> split(Dialect dialect, String file, String text) {
    StatementSplitter s = new StatementSplitter(dialect, file, text);
    s.run();
    return List.copyOf(s.statements);
  }

  private void run() {
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        spaceDue = true;
        i++;
      } else if (c == '-' && next(1) == '-') {
        int end = text.indexOf('\n', i);
        i = end < 0 ? text.length() : end + 1;
        spaceDue = true;
      } else if (c == '/' && next(1) == '*') {
        skipBlockComment();
        spaceDue = true;
      } else if (c == '\'') {
        copyQuoted('\'', escapeString());
      } else if (c == '"') {
        copyQuoted('"', false);
      } else if (c == '`' && dialect == Dialect.SQLITE) {
        copyQuoted('`', false);
      } else if (c == '[' && dialect == Dialect.SQLITE) {
        copyBracketed();
      } else if (c == '$' && dialect == Dialect.POSTGRES && dollarTag() != null) {
        copyDollarQuoted(dollarTag());
      } else if (isWordStart(c)) {
        word();
      } else if (c == ';' && parenDepth == 0 && bodyDepth == 0) {
        endStatement();
        i++;
      } else {
        if (c == '(') {
          if (parenDepth++ == 0) {
            parenStart = i;
          }
        } else if (c == ')' && parenDepth > 0) {
          parenDepth--;
        }
        append(String.valueOf(c));
        i++;
      }
    }
    if (bodyDepth > 0) {
      throw unclosed(bodyStart, "a BEGIN ... END body is not closed by END");
    }
    if (parenDepth > 0) {
      throw unclosed(parenStart, "a parenthesis is not closed");
    }
    endStatement();
  }

  private char next(int ahead) {
    return i + ahead < text.length() ? text.charAt(i + ahead) : '\0';
  }

  private void append(CharSequence token) {
    if (spaceDue && current.length() > 0) {
      current.append(' ');
    }
    spaceDue = false;
    current.append(token);
  }

  private void endStatement() {
    if (current.length() > 0) {
      statements.add(current.toString());
    }
    current.setLength(0);
    spaceDue = false;
    head.clear();
    parenDepth = 0;
    bodyDepth = 0;
  }

  /** PostgreSQL nests block comments; SQLite ends one at the first {@code * /}. */
  private void skipBlockComment() {
    int start = i;
    int depth = 0;
    while (i < text.length()) {
      if (text.startsWith("/*", i) && (depth == 0 || dialect == Dialect.POSTGRES)) {
        depth++;
        i += 2;
      } else if (text.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return;
        }
      } else {
        i++;
      }
    }
    throw unclosed(start, "a /* comment is not closed by */");
  }

  /**
   * Whether the string literal starting here takes backslash escapes: PostgreSQL's {@code E'...'}
   * (the {@code E} is then the word just appended, alone). Plain literals follow the SQL standard.
   */
  private boolean escapeString() {
    if (dialect != Dialect.POSTGRES || i == 0) {
      return false;
    }
    char before = text.charAt(i - 1);
    boolean alone = i < 2 || !isWordPart(text.charAt(i - 2));
    return (before == 'E' || before == 'e') && alone;
  }

  /** Copies a literal or quoted identifier; the closing quote doubled stands for itself. */
  private void copyQuoted(char quote, boolean backslashEscapes) {
    int start = i;
    int j = i + 1;
    while (j < text.length()) {
      char c = text.charAt(j);
      if (backslashEscapes && c == '\\') {
        j += 2;
      } else if (c == quote && j + 1 < text.length() && text.charAt(j + 1) == quote) {
        j += 2;
      } else if (c == quote) {
        i = j + 1;
        append(text.substring(start, i));
        return;
      } else {
        j++;
      }
    }
    throw unclosed(
        start,
        (quote == '\'' ? "a string literal" : "a quoted identifier")
            + " is not closed by "
            + quote);
  }

  private void copyBracketed() {
    int end = text.indexOf(']', i);
    if (end < 0) {
      throw unclosed(i, "a [quoted identifier] is not closed by ]");
    }
    append(text.substring(i, end + 1));
    i = end + 1;
  }

  /**
   * The {@code $tag$} that opens a dollar-quoted string here, or null: {@code $1} is a parameter
   * and {@code a$b} an identifier, not a quote.
   */
  private String dollarTag() {
    if (i > 0 && isWordPart(text.charAt(i - 1))) {
      return null;
    }
    int j = i + 1;
    if (j < text.length() && Character.isDigit(text.charAt(j))) {
      return null;
    }
    while (j < text.length() && text.charAt(j) != '$') {
      char c = text.charAt(j);
      if (!(Character.isLetterOrDigit(c) || c == '_')) {
        return null;
      }
      j++;
    }
    return j < text.length() ? text.substring(i, j + 1) : null;
  }

  private void copyDollarQuoted(String tag) {
    int end = text.indexOf(tag, i + tag.length());
    if (end < 0) {
      throw unclosed(i, "a dollar-quoted string is not closed by " + tag);
    }
    append(text.substring(i, end + tag.length()));
    i = end + tag.length();
  }

  private static boolean isWordStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private boolean isWordPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || (c == '$' && dialect == Dialect.POSTGRES);
  }

  /**
   * A keyword or name. The first few of a statement say whether it has a body whose semicolons do
   * not end it: {@code CREATE [TEMP|TEMPORARY] TRIGGER} on SQLite, {@code CREATE [OR REPLACE]
   * FUNCTION|PROCEDURE} (a {@code BEGIN ATOMIC} body) on PostgreSQL. Inside such a statement {@code
   * BEGIN} and {@code CASE} open a level and {@code END} closes one, as {@code psql} counts.
   */
  private void word() {
    int start = i;
    while (i < text.length() && isWordPart(text.charAt(i))) {
      i++;
    }
    String w = text.substring(start, i);
    append(w);
    String upper = w.toUpperCase(Locale.ROOT);
    if (head.size() < 4) {
      head.add(upper);
    }
    if (hasBody()) {
      if (upper.equals("BEGIN") || upper.equals("CASE")) {
        if (bodyDepth++ == 0) {
          bodyStart = start;
        }
      } else if (upper.equals("END") && bodyDepth > 0) {
        bodyDepth--;
      }
    }
  }

  private boolean hasBody() {
    if (head.isEmpty() || !head.get(0).equals("CREATE")) {
      return false;
    }
    if (dialect == Dialect.SQLITE) {
      return at(1, "TRIGGER") || ((at(1, "TEMP") || at(1, "TEMPORARY")) && at(2, "TRIGGER"));
    }
    int kind = at(1, "OR") && at(2, "REPLACE") ? 3 : 1;
    return at(kind, "FUNCTION") || at(kind, "PROCEDURE");
  }

  private boolean at(int index, String keyword) {
    return head.size() > index && head.get(index).equals(keyword);
  }

  private IllegalArgumentException unclosed(int at, String what) {
    int line = 1;
    int col = 1;
    for (int k = 0; k < at; k++) {
      if (text.charAt(k) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new IllegalArgumentException(
        file + ":" + line + ":" + col + ": " + what + " before the end of the file");
  }
}
