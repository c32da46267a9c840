package dev.vigil.expr;

import dev.vigil.config.Secret;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The values runbooks insert with {@code ${{ secrets.NAME }}} ({@code runbooks.secrets} in
 * vigil.yaml), and the redaction of those values from everything stored or shown.
 *
 * <p>A secret is never a CEL variable: a template inserts it whole, so no expression can slice it
 * past the redaction. The values reach a template only through the bindings of one try ({@link
 * #BINDING}), which are never stored; without them (a dry run, {@code vigil simulate}) the hole
 * stays as its {@code ${{ secrets.NAME }}} source. Immutable and thread-safe.
 */
public final class Secrets {
  /** The key under which a try's bindings carry this object; not a CEL variable. */
  public static final String BINDING = "secrets";

  /** What a secret value reads as wherever it would be stored or shown. */
  public static final String MASK = "***";

  public static final Secrets NONE = new Secrets(Map.of());

  private final Map<String, Secret> values;

  /**
   * Each value as it may appear in stored text (as is, percent-encoded, JSON-escaped), longest
   * first.
   */
  private final List<String> forms;

  public Secrets(Map<String, Secret> values) {
    this.values = Map.copyOf(values);
    Set<String> f = new LinkedHashSet<>();
    for (Secret s : values.values()) {
      String v = s.reveal();
      if (!v.isEmpty()) {
        f.add(v);
        f.add(Template.percentEncode(v));
        String json = Values.json(v);
        f.add(json.substring(1, json.length() - 1));
      }
    }
    List<String> sorted = new ArrayList<>(f);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    this.forms = List.copyOf(sorted);
  }

  public Set<String> names() {
    return values.keySet();
  }

  /** The value of {@code name}, if it is defined. */
  public Optional<String> value(String name) {
    return Optional.ofNullable(values.get(name)).map(Secret::reveal);
  }

  /** {@code text} with every secret value (in each of its encodings) replaced by {@link #MASK}. */
  public String redact(String text) {
    if (text == null || forms.isEmpty()) {
      return text;
    }
    String out = text;
    for (String f : forms) {
      if (out.contains(f)) {
        out = out.replace(f, MASK);
      }
    }
    return out;
  }

  /** True when {@code text} holds a secret value. */
  public boolean reveals(String text) {
    return text != null && !redact(text).equals(text);
  }

  /** A plain JSON value (maps, lists, strings, ...) with every string redacted, keys included. */
  public Object redact(Object plain) {
    if (forms.isEmpty()) {
      return plain;
    }
    if (plain instanceof String s) {
      return redact(s);
    }
    if (plain instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(redact(String.valueOf(k)), redact(v)));
      return out;
    }
    if (plain instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(redact(v)));
      return out;
    }
    return plain;
  }

  /** Like {@link #redact(Object)} for a step's output map. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> redactMap(Map<String, Object> output) {
    return forms.isEmpty() || output == null
        ? output
        : (Map<String, Object>) redact((Object) output);
  }

  @Override
  public String toString() {
    return "(secrets " + String.join(", ", values.keySet()) + ")";
  }
}
