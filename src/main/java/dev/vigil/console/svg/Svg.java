package dev.vigil.console.svg;

import dev.vigil.config.Durations;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * A small writer of SVG markup: elements, attributes and text, every value XML-escaped, so that
 * nothing taken from an alert, a runbook or teams.yaml can become markup. The result is a
 * standalone {@code <svg>} element (valid XML) that can be inlined in an HTML page as it is.
 *
 * <p>Not thread-safe; one writer per drawing.
 */
final class Svg {
  static final String NS = "http://www.w3.org/2000/svg";

  private final StringBuilder out = new StringBuilder(4096);
  private final ArrayDeque<String> depth = new ArrayDeque<>();
  private boolean inTag;

  /**
   * Opens the root element: its size, {@code role="img"} and an {@code aria-label}, then a {@code
   * <title>} with the same text, for screen readers and as a tooltip.
   */
  Svg(String cssClass, double width, double height, String label) {
    open("svg")
        .attr("xmlns", NS)
        .attr("class", cssClass)
        .attr("role", "img")
        .attr("aria-label", label)
        .attr("width", width)
        .attr("height", height)
        .attr("viewBox", "0 0 " + num(width) + " " + num(height))
        .attr("font-family", "sans-serif")
        .attr("font-size", 12);
    title(label);
  }

  /** Starts {@code <name}; attributes follow until the next element, text or close. */
  Svg open(String name) {
    closeTag();
    out.append('<').append(name);
    inTag = true;
    depth.push(name);
    return this;
  }

  Svg attr(String name, String value) {
    if (value == null) {
      return this;
    }
    if (!inTag) {
      throw new IllegalStateException("attribute " + name + " outside a start tag");
    }
    out.append(' ').append(name).append("=\"");
    escape(value, out);
    out.append('"');
    return this;
  }

  Svg attr(String name, double value) {
    return attr(name, num(value));
  }

  /** Escaped character data inside the current element. */
  Svg text(String value) {
    closeTag();
    escape(value == null ? "" : value, out);
    return this;
  }

  /** Closes the innermost open element. */
  Svg close() {
    String name = depth.pop();
    if (inTag) {
      out.append("/>");
      inTag = false;
    } else {
      out.append("</").append(name).append('>');
    }
    return this;
  }

  /** {@code <title>text</title>}: the accessible name of the enclosing element. */
  Svg title(String text) {
    return open("title").text(text).close();
  }

  /** A {@code <text>} element at (x, y) with an optional class and anchor. */
  Svg label(double x, double y, String cssClass, String anchor, String text) {
    return open("text")
        .attr("x", x)
        .attr("y", y)
        .attr("class", cssClass)
        .attr("text-anchor", anchor)
        .text(text)
        .close();
  }

  Svg rect(double x, double y, double w, double h, String cssClass, String fill) {
    return open("rect")
        .attr("x", x)
        .attr("y", y)
        .attr("width", Math.max(0, w))
        .attr("height", Math.max(0, h))
        .attr("class", cssClass)
        .attr("fill", fill);
  }

  Svg line(double x1, double y1, double x2, double y2, String cssClass, String stroke) {
    return open("line")
        .attr("x1", x1)
        .attr("y1", y1)
        .attr("x2", x2)
        .attr("y2", y2)
        .attr("class", cssClass)
        .attr("stroke", stroke);
  }

  /** The finished document; closes whatever is still open. */
  String finish() {
    while (!depth.isEmpty()) {
      close();
    }
    return out.toString();
  }

  private void closeTag() {
    if (inTag) {
      out.append('>');
      inTag = false;
    }
  }

  /**
   * Escapes markup characters, and replaces what XML 1.0 cannot hold at all (control characters
   * other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF) with U+FFFD.
   */
  static void escape(String s, StringBuilder sb) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        case '\t', '\n', '\r' -> sb.append("&#").append((int) c).append(';');
        default -> {
          if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (c < 0x20 || Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
            sb.append('\uFFFD');
          } else {
            sb.append(c);
          }
        }
      }
    }
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    escape(s, sb);
    return sb.toString();
  }

  /** A coordinate with at most one decimal, in the C locale: {@code 12}, {@code 12.5}. */
  static String num(double v) {
    long tenths = Math.round(v * 10);
    return tenths % 10 == 0
        ? Long.toString(tenths / 10)
        : String.format(Locale.ROOT, "%.1f", tenths / 10.0);
  }

  /** At most {@code max} characters, with an ellipsis when cut. */
  static String fit(String s, int max) {
    return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
  }

  /** A short duration for a label: {@code 340ms}, {@code 12.3s}, {@code 4m5s}, {@code 2h10m}. */
  static String duration(Duration d) {
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      return d.toMillis() + "ms";
    }
    if (d.compareTo(Duration.ofMinutes(1)) < 0) {
      return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    if (d.compareTo(Duration.ofHours(1)) < 0) {
      return Durations.format(Duration.ofSeconds(d.toSeconds()));
    }
    return Durations.format(Duration.ofMinutes(d.toMinutes()));
  }
}
