package dev.vigil.runbook;

import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import java.nio.charset.StandardCharsets;

/**
 * The text of one runbook file: kept whole as the {@link Runbook}'s source, and used to point
 * inside a scalar: an error at character 17 of a CEL expression is reported at its own column, not
 * at the start of the string.
 *
 * <p>Exact for plain and quoted scalars on one line without escapes before the point; otherwise it
 * falls back to the scalar's start.
 */
final class SourceText {
  private final String text;
  private final String[] lines;

  SourceText(byte[] bytes) {
    this.text = new String(bytes, StandardCharsets.UTF_8);
    this.lines = text.split("\r?\n", -1);
  }

  /** The whole text, as read. */
  String text() {
    return text;
  }

  /** The position of character {@code offset} of the scalar {@code node}. */
  Pos at(YamlNode node, int offset) {
    Pos start = node.pos();
    if (offset <= 0 || start.line() < 1 || start.line() > lines.length) {
      return start;
    }
    String line = lines[start.line() - 1];
    int col0 = start.col() - 1;
    if (col0 >= line.length()) {
      return start;
    }
    char first = line.charAt(col0);
    int contentStart = (first == '"' || first == '\'') ? col0 + 1 : col0;
    String value = node.text();
    String prefix = value.substring(0, Math.min(offset, value.length()));
    if (line.startsWith(prefix, contentStart)) {
      return new Pos(start.file(), start.line(), contentStart + prefix.length() + 1);
    }
    return start;
  }

  /** True when the scalar was written in quotes (so {@code "3"} stays a string in a JSON body). */
  boolean quoted(YamlNode node) {
    Pos start = node.pos();
    if (start.line() < 1 || start.line() > lines.length) {
      return false;
    }
    String line = lines[start.line() - 1];
    int col0 = start.col() - 1;
    return col0 < line.length() && (line.charAt(col0) == '"' || line.charAt(col0) == '\'');
  }
}
