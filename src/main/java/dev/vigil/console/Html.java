package dev.vigil.console;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An HTML writer that escapes by default: text and attribute values always go through {@link
 * #escape}; markup can only come from this writer's own calls or from a {@link Safe} value (another
 * writer's output, or an SVG renderer's, which escape the same way). Tag and attribute names must
 * be plain lower-case names written in the code, event-handler attributes ({@code on...}) and
 * {@code style} are refused (the console's Content-Security-Policy allows no inline script), and a
 * URL attribute keeps only a path on this server or an {@code http(s)} URL: anything else (a {@code
 * javascript:} link in an alert's {@code generatorURL}) becomes {@code #}.
 */
public final class Html {
  /** Markup that is already safe to insert. */
  public record Safe(String html) {
    @Override
    public String toString() {
      return html;
    }
  }

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Set<String> VOID =
      Set.of("br", "hr", "img", "input", "link", "meta", "source", "wbr");
  private static final Set<String> URL_ATTRS = Set.of("href", "src", "action", "formaction");

  private final StringBuilder out = new StringBuilder(4096);
  private final Deque<String> open = new ArrayDeque<>();

  /**
   * Opens {@code tag} with attributes given as name, value pairs; a null value leaves the attribute
   * out, an empty one writes it bare ({@code disabled}).
   */
  public Html open(String tag, String... attrs) {
    start(tag, attrs);
    if (!VOID.contains(tag)) {
      open.push(tag);
    }
    return this;
  }

  /** Closes the innermost open tag. */
  public Html close() {
    out.append("</").append(open.pop()).append('>');
    return this;
  }

  /** {@code <tag attrs>text</tag>}. */
  public Html el(String tag, Object text, String... attrs) {
    start(tag, attrs);
    text(text);
    out.append("</").append(tag).append('>');
    return this;
  }

  /** Escaped text; null writes nothing. */
  public Html text(Object text) {
    if (text != null) {
      out.append(escape(String.valueOf(text)));
    }
    return this;
  }

  /** Markup that is safe already. */
  public Html safe(Safe markup) {
    out.append(markup.html());
    return this;
  }

  /** What was written; every tag opened must have been closed. */
  public Safe done() {
    if (!open.isEmpty()) {
      throw new IllegalStateException("unclosed tags: " + open);
    }
    return new Safe(out.toString());
  }

  private void start(String tag, String... attrs) {
    name(tag);
    if (attrs.length % 2 != 0) {
      throw new IllegalArgumentException("attributes come in name, value pairs");
    }
    out.append('<').append(tag);
    for (int i = 0; i < attrs.length; i += 2) {
      String name = name(attrs[i]);
      if (name.startsWith("on") || name.equals("style")) {
        throw new IllegalArgumentException("attribute " + name + " is not allowed");
      }
      String value = attrs[i + 1];
      if (value == null) {
        continue;
      }
      out.append(' ').append(name);
      if (!value.isEmpty()) {
        out.append("=\"").append(escape(URL_ATTRS.contains(name) ? url(value) : value)).append('"');
      }
    }
    out.append('>');
  }

  private static String name(String n) {
    if (!NAME.matcher(n).matches()) {
      throw new IllegalArgumentException("not a tag or attribute name: " + n);
    }
    return n;
  }

  /** A path on this server, or an http(s) URL; anything else is {@code #}. */
  static String url(String u) {
    String t = u.strip().toLowerCase(Locale.ROOT);
    boolean local = t.startsWith("/") && !t.startsWith("//") && !t.startsWith("/\\");
    boolean web = t.startsWith("http://") || t.startsWith("https://");
    return local || web || t.startsWith("#") || t.startsWith("?") ? u.strip() : "#";
  }

  /** Text for HTML element content and quoted attribute values. */
  public static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String r =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            default -> null;
          };
      if (r != null) {
        if (b == null) {
          b = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        b.append(r);
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }
}
