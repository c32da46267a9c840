package dev.vigil.store;

import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Severity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Reading rows of plain JDBC result sets (the SQLite writer's), as {@link Rows} does for the Vert.x
 * client.
 */
final class JdbcRows {
  private JdbcRows() {}

  /** An incident from a row of {@link SqlIncidentStore#INCIDENT_COLUMNS}, in that order. */
  static Incident incident(ResultSet r) throws SQLException {
    return new Incident(
        new IncidentId(r.getLong(1)),
        IncidentStatus.parse(r.getString(3)).orElseThrow(),
        Severity.parse(r.getString(4)).orElse(Severity.WARNING),
        r.getString(5),
        r.getString(6),
        r.getString(7),
        r.getString(2),
        Json.read(r.getString(8)),
        r.getInt(9),
        r.getInt(10),
        instant(r, 12),
        instant(r, 13),
        r.getString(14),
        instant(r, 15),
        r.getString(16),
        r.getInt(11) != 0);
  }

  static Instant instant(ResultSet r, int column) throws SQLException {
    long ms = r.getLong(column);
    return r.wasNull() ? null : Instant.ofEpochMilli(ms);
  }
}
