package dev.vigil.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the client prints for people: columns aligned to their widest cell, and every value from the
 * server made safe for a terminal first. Alert titles, labels and notes come from outside; a
 * control character (an ANSI escape that recolours or clears the screen, a carriage return that
 * overwrites the line, a newline that forges a table row) is shown as a visible escape such as
 * {@code \x1b} or {@code \n}.
 */
public final class Text {
  private Text() {}

  /** {@code s} with C0 and C1 control characters (and DEL) written as visible escapes. */
  public static String clean(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
      if (control && b == null) {
        b = new StringBuilder(s.length() + 8).append(s, 0, i);
      }
      if (b != null) {
        if (!control) {
          b.append(c);
        } else if (c == '\n') {
          b.append("\\n");
        } else if (c == '\t') {
          b.append("\\t");
        } else if (c == '\r') {
          b.append("\\r");
        } else {
          b.append(String.format("\\x%02x", (int) c));
        }
      }
    }
    return b == null ? s : b.toString();
  }

  /** A field of a JSON object as text people read: {@code -} when absent or null. */
  public static String field(JsonNode node, String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? "-" : clean(v.isTextual() ? v.asText() : v.toString());
  }

  /** A table: a header row and rows of cells, printed with columns padded to their widest cell. */
  public static final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public Table(String... header) {
      this.columns = header.length;
      rows.add(header);
    }

    /** Adds a row; each cell is cleaned. */
    public Table row(String... cells) {
      if (cells.length != columns) {
        throw new IllegalArgumentException(
            "a row of " + cells.length + " cells in a table of " + columns + " columns");
      }
      String[] clean = new String[cells.length];
      for (int i = 0; i < cells.length; i++) {
        clean[i] = clean(cells[i]);
      }
      rows.add(clean);
      return this;
    }

    public boolean isEmpty() {
      return rows.size() == 1;
    }

    /** The table, one line per row; the last column is not padded. */
    public String render() {
      int[] width = new int[columns];
      for (String[] r : rows) {
        for (int i = 0; i < columns; i++) {
          width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
        }
      }
      StringBuilder b = new StringBuilder();
      for (String[] r : rows) {
        for (int i = 0; i < columns; i++) {
          b.append(r[i]);
          if (i < columns - 1) {
            b.append(" ".repeat(width[i] - r[i].codePointCount(0, r[i].length()) + 2));
          }
        }
        b.append('\n');
      }
      return b.toString();
    }
  }
}
