package dev.vigil.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mapping read with a closed schema. Construction reports unknown keys; the accessors read the
 * known ones with defaults. Every accessor is total: on a bad value it reports and returns the
 * default.
 */
public final class Fields {
  private final YamlNode node;
  private final Map<String, YamlNode> entries;

  Fields(
      YamlNode node, Map<String, YamlNode> entries, List<String> known, Map<String, Pos> keyPos) {
    this.node = node;
    this.entries = entries;
    for (String key : entries.keySet()) {
      if (!known.contains(key)) {
        String hint =
            Suggest.nearest(key, known)
                .map(n -> " (did you mean \"" + n + "\"?)")
                .orElse(known.isEmpty() ? "" : " (known keys: " + String.join(", ", known) + ")");
        node.problems()
            .error(keyPos.get(key), node.prefix() + "unknown key \"" + key + "\"" + hint);
      }
    }
  }

  /** The node these fields were read from. */
  public YamlNode node() {
    return node;
  }

  public boolean has(String key) {
    YamlNode n = entries.get(key);
    return n != null && !n.isNull();
  }

  public Optional<YamlNode> get(String key) {
    YamlNode n = entries.get(key);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
  }

  /** The value of a key that must be present; its absence is reported at the mapping. */
  public Optional<YamlNode> required(String key) {
    Optional<YamlNode> n = get(key);
    if (n.isEmpty()) {
      node.error("missing required key \"" + key + "\"");
    }
    return n;
  }

  public String string(String key, String dflt) {
    return get(key).flatMap(YamlNode::string).orElse(dflt);
  }

  public Optional<String> string(String key) {
    return get(key).flatMap(YamlNode::string);
  }

  public long integer(String key, long dflt, long min, long max) {
    return get(key).flatMap(n -> n.integer(min, max)).orElse(dflt);
  }

  public double number(String key, double dflt, double min, double max) {
    return get(key).flatMap(n -> n.number(min, max)).orElse(dflt);
  }

  public boolean bool(String key, boolean dflt) {
    return get(key).flatMap(YamlNode::bool).orElse(dflt);
  }

  public Duration duration(String key, Duration dflt) {
    return get(key).flatMap(YamlNode::duration).orElse(dflt);
  }

  public String oneOf(String key, String dflt, List<String> choices) {
    return get(key).flatMap(n -> n.oneOf(choices)).orElse(dflt);
  }

  public List<String> strings(String key) {
    return get(key).map(YamlNode::strings).orElse(List.of());
  }

  public List<YamlNode> items(String key) {
    return get(key).map(YamlNode::items).orElse(List.of());
  }

  public Map<String, String> stringMap(String key) {
    return get(key).map(YamlNode::stringMap).orElse(Map.of());
  }

  /** A nested mapping with its own closed set of keys; absent means an empty mapping. */
  public Optional<Fields> fields(String key, String... known) {
    return get(key).map(n -> n.fields(known));
  }
}
