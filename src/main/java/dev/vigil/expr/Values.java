package dev.vigil.expr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.primitives.UnsignedLong;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns CEL values into plain Java values and into text for insertion into strings. */
public final class Values {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Values() {}

  /**
   * CEL's null, unsigned, bytes, timestamp and duration values as
   * String/Long/Double/Boolean/List/Map/null.
   */
  public static Object plain(Object v) {
    if (v == null
        || v instanceof dev.cel.common.values.NullValue
        || v instanceof com.google.protobuf.NullValue) {
      return null;
    }
    if (v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
      return v;
    }
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof UnsignedLong u) {
      return u.longValue();
    }
    if (v instanceof ByteString b) {
      return b.toStringUtf8();
    }
    if (v instanceof Timestamp t) {
      return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
    }
    if (v instanceof com.google.protobuf.Duration d) {
      return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos()).toString();
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(x -> out.add(plain(x)));
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(plain(k)), plain(x)));
      return out;
    }
    return v.toString();
  }

  /**
   * A value as text inside a string: strings as they are, whole numbers without a fraction, null as
   * the empty string, lists and maps as JSON.
   */
  public static String text(Object v) {
    Object p = plain(v);
    if (p == null) {
      return "";
    }
    if (p instanceof String s) {
      return s;
    }
    if (p instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        return d.toString();
      }
      return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    if (p instanceof List<?> || p instanceof Map<?, ?>) {
      return json(p);
    }
    return p.toString();
  }

  /** JSON text of a plain value. */
  public static String json(Object plain) {
    try {
      return JSON.writeValueAsString(plain);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("plain values always serialise", e);
    }
  }
}
