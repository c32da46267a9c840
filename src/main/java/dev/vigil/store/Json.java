package dev.vigil.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;

/** Label and annotation maps as JSON text columns. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {};

  private Json() {}

  static String write(Map<String, String> map) {
    try {
      return MAPPER.writeValueAsString(new TreeMap<>(map));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> read(String text) {
    try {
      return text == null ? Map.of() : MAPPER.readValue(text, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("store: corrupt label column: " + e.getOriginalMessage(), e);
    }
  }
}
