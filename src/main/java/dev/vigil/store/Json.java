package dev.vigil.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Label and annotation maps as JSON text columns. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {};

  private Json() {}

  /**
   * {@code {"k":"v",...}} in key order, as Jackson writes it; by hand, since it runs for every
   * alert stored.
   */
  static String write(Map<String, String> map) {
    StringBuilder sb = new StringBuilder(32 * map.size() + 2).append('{');
    boolean first = true;
    Map<String, String> sorted =
        map instanceof SortedMap<String, String> s && s.comparator() == null
            ? map
            : new TreeMap<>(map);
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      string(sb, e.getKey()).append(':');
      string(sb, e.getValue());
    }
    return sb.append('}').toString();
  }

  private static StringBuilder string(StringBuilder sb, String s) {
    sb.append('"');
    if (plain(s)) {
      return sb.append(s).append('"');
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  /** Whether {@code s} needs no escape in JSON: no quote, backslash or control character. */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  static Map<String, String> read(String text) {
    try {
      return text == null ? Map.of() : MAPPER.readValue(text, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("store: corrupt label column: " + e.getOriginalMessage(), e);
    }
  }
}
