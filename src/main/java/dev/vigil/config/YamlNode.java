package dev.vigil.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One node of a YAML file, with its position and its path from the root ({@code steps[2].retry}).
 *
 * <p>Readers never throw: a value of the wrong kind adds a problem ({@code file:line:col: path:
 * ...}) and yields an empty {@link Optional}, so one pass finds every mistake in a file.
 */
public final class YamlNode {

  /** What all nodes of one file share. */
  public record Context(String file, Problems problems, Interpolator interpolator) {}

  private final Node raw;
  private final Context ctx;
  private final String path;

  private YamlNode(Node raw, Context ctx, String path) {
    this.raw = raw;
    this.ctx = ctx;
    this.path = path;
  }

  static YamlNode root(Node raw, Context ctx) {
    return new YamlNode(raw, ctx, "");
  }

  public Pos pos() {
    return Yaml.pos(ctx.file(), raw.getStartMark());
  }

  /** Dotted path from the root, e.g. {@code server.port}; empty for the root. */
  public String path() {
    return path;
  }

  public Context context() {
    return ctx;
  }

  public Problems problems() {
    return ctx.problems();
  }

  /** Reports a problem at this node, prefixed with its path. */
  public void error(String message) {
    ctx.problems().error(pos(), path.isEmpty() ? message : path + ": " + message);
  }

  /**
   * The position of character {@code offset} of this scalar's text, so a problem inside a value (a
   * bad regex in a matcher) is reported at its own column. Exact when the scalar sits on one line
   * and its source is its text (plain, or quoted without escapes); otherwise the scalar's start.
   */
  public Pos posAt(int offset) {
    Pos start = pos();
    if (!(raw instanceof ScalarNode s)
        || offset <= 0
        || raw.getStartMark() == null
        || raw.getEndMark() == null
        || raw.getStartMark().getLine() != raw.getEndMark().getLine()) {
      return start;
    }
    int quotes =
        switch (s.getScalarStyle()) {
          case PLAIN -> 0;
          case SINGLE_QUOTED, DOUBLE_QUOTED -> 2;
          default -> -1;
        };
    int width = raw.getEndMark().getColumn() - raw.getStartMark().getColumn();
    if (quotes < 0 || width != s.getValue().length() + quotes || offset > s.getValue().length()) {
      return start;
    }
    return new Pos(start.file(), start.line(), start.col() + quotes / 2 + offset);
  }

  /** Reports a problem at character {@code offset} of this scalar (see {@link #posAt}). */
  public void errorAt(int offset, String message) {
    ctx.problems().error(posAt(offset), path.isEmpty() ? message : path + ": " + message);
  }

  public void warning(String message) {
    ctx.problems().warning(pos(), path.isEmpty() ? message : path + ": " + message);
  }

  public boolean isMap() {
    return raw instanceof MappingNode;
  }

  public boolean isList() {
    return raw instanceof SequenceNode;
  }

  public boolean isNull() {
    return raw instanceof ScalarNode && raw.getTag().equals(Tag.NULL);
  }

  public boolean isScalar() {
    return raw instanceof ScalarNode && !isNull();
  }

  String kind() {
    if (isMap()) {
      return "a mapping";
    }
    if (isList()) {
      return "a list";
    }
    if (isNull()) {
      return "nothing (null)";
    }
    return "\"" + abbreviate(((ScalarNode) raw).getValue()) + "\"";
  }

  /** The scalar as written, after {@code ${env:...}} substitution when the file allows it. */
  public Optional<String> string() {
    if (!isScalar()) {
      error("expected a string, got " + kind());
      return Optional.empty();
    }
    String v = ((ScalarNode) raw).getValue();
    return Optional.of(
        ctx.interpolator() == null ? v : ctx.interpolator().apply(v, pos(), path, ctx.problems()));
  }

  /** The scalar exactly as written, with no substitution (for messages and templates). */
  public String text() {
    return raw instanceof ScalarNode s ? s.getValue() : "";
  }

  public Optional<Long> integer(long min, long max) {
    return string()
        .flatMap(
            s -> {
              try {
                long v = Long.parseLong(s.replace("_", ""));
                if (v < min || v > max) {
                  error("must be from " + min + " to " + max + ", got " + v);
                  return Optional.empty();
                }
                return Optional.of(v);
              } catch (NumberFormatException e) {
                error("expected a whole number, got " + kind());
                return Optional.empty();
              }
            });
  }

  public Optional<Double> number(double min, double max) {
    return string()
        .flatMap(
            s -> {
              try {
                double v = Double.parseDouble(s);
                if (!(v >= min && v <= max)) {
                  error("must be from " + trim(min) + " to " + trim(max) + ", got " + s);
                  return Optional.empty();
                }
                return Optional.of(v);
              } catch (NumberFormatException e) {
                error("expected a number, got " + kind());
                return Optional.empty();
              }
            });
  }

  public Optional<Boolean> bool() {
    return string()
        .flatMap(
            s ->
                switch (s) {
                  case "true" -> Optional.of(true);
                  case "false" -> Optional.of(false);
                  default -> {
                    error("expected true or false, got " + kind());
                    yield Optional.empty();
                  }
                });
  }

  public Optional<Duration> duration() {
    return string()
        .flatMap(
            s -> {
              try {
                return Optional.of(Durations.parse(s));
              } catch (IllegalArgumentException e) {
                error(e.getMessage());
                return Optional.empty();
              }
            });
  }

  /** One of the given words; anything else is reported with the list of choices. */
  public Optional<String> oneOf(List<String> choices) {
    return string()
        .flatMap(
            s -> {
              if (choices.contains(s)) {
                return Optional.of(s);
              }
              String hint =
                  Suggest.nearest(s, choices).map(n -> " (did you mean \"" + n + "\"?)").orElse("");
              error("\"" + abbreviate(s) + "\" is not one of " + String.join(", ", choices) + hint);
              return Optional.empty();
            });
  }

  /** The elements of a list; a scalar or mapping is reported and gives an empty list. */
  public List<YamlNode> items() {
    if (!(raw instanceof SequenceNode seq)) {
      if (!isNull()) {
        error("expected a list, got " + kind());
      }
      return List.of();
    }
    List<YamlNode> out = new ArrayList<>(seq.getValue().size());
    for (int i = 0; i < seq.getValue().size(); i++) {
      out.add(new YamlNode(seq.getValue().get(i), ctx, path + "[" + i + "]"));
    }
    return out;
  }

  /**
   * A list of strings. Entries that substitute to the empty string are dropped, so that {@code
   * ["${env:TOKEN:-}"]} means "no token" when the variable is unset.
   */
  public List<String> strings() {
    List<String> out = new ArrayList<>();
    for (YamlNode n : items()) {
      n.string().filter(s -> !s.isEmpty()).ifPresent(out::add);
    }
    return out;
  }

  /** A mapping of strings to strings (labels, headers). */
  public Map<String, String> stringMap() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, YamlNode> e : entries().entrySet()) {
      e.getValue().string().ifPresent(v -> out.put(e.getKey(), v));
    }
    return out;
  }

  /** The entries of a mapping in file order; duplicate keys are reported with both positions. */
  public Map<String, YamlNode> entries() {
    Map<String, YamlNode> out = new LinkedHashMap<>();
    if (!(raw instanceof MappingNode map)) {
      if (!isNull()) {
        error("expected a mapping, got " + kind());
      }
      return out;
    }
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode key)) {
        ctx.problems()
            .error(
                Yaml.pos(ctx.file(), t.getKeyNode().getStartMark()),
                prefix() + "keys must be plain strings");
        continue;
      }
      String name = key.getValue();
      YamlNode value =
          new YamlNode(t.getValueNode(), ctx, path.isEmpty() ? name : path + "." + name);
      YamlNode first = out.putIfAbsent(name, value);
      if (first != null) {
        ctx.problems()
            .error(
                Yaml.pos(ctx.file(), key.getStartMark()),
                prefix()
                    + "duplicate key \""
                    + name
                    + "\" (first at line "
                    + first.keyLine(map, name)
                    + ")");
      }
    }
    return out;
  }

  private int keyLine(MappingNode map, String name) {
    for (NodeTuple t : map.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(name)) {
        return k.getStartMark().getLine() + 1;
      }
    }
    return pos().line();
  }

  /**
   * Reads this node as a mapping with a closed set of keys: every other key is reported at its own
   * position, with the nearest known key suggested.
   */
  public Fields fields(String... known) {
    return new Fields(this, entries(), List.of(known), keyPositions());
  }

  private Map<String, Pos> keyPositions() {
    Map<String, Pos> out = new LinkedHashMap<>();
    if (raw instanceof MappingNode map) {
      for (NodeTuple t : map.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          out.putIfAbsent(k.getValue(), Yaml.pos(ctx.file(), k.getStartMark()));
        }
      }
    }
    return out;
  }

  String prefix() {
    return path.isEmpty() ? "" : path + ": ";
  }

  static String abbreviate(String s) {
    String one = s.replace("\n", "\\n");
    return one.length() > 60 ? one.substring(0, 57) + "..." : one;
  }

  private static String trim(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
