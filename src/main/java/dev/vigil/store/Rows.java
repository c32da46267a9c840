package dev.vigil.store;

import io.vertx.sqlclient.Row;
import java.time.Instant;

/** Reads columns the same way on both drivers (SQLite hands back Integer/Long/String loosely). */
final class Rows {
  private Rows() {}

  static long longValue(Object v, long dflt) {
    return v instanceof Number n ? n.longValue() : dflt;
  }

  static long getLong(Row row, String column) {
    return longValue(row.getValue(column), 0);
  }

  static int getInt(Row row, String column) {
    return (int) longValue(row.getValue(column), 0);
  }

  static boolean getBool(Row row, String column) {
    Object v = row.getValue(column);
    return v instanceof Boolean b ? b : longValue(v, 0) != 0;
  }

  static Instant getInstant(Row row, String column) {
    Object v = row.getValue(column);
    return v instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null;
  }

  static Long millis(Instant at) {
    return at == null ? null : at.toEpochMilli();
  }
}
