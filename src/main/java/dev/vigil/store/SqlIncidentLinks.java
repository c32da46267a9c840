package dev.vigil.store;

import dev.vigil.incident.IncidentId;
import dev.vigil.notify.pagerduty.IncidentLinks;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Optional;

/** {@link IncidentLinks} in SQL (table {@code pagerduty_incidents}, migration V14). */
public final class SqlIncidentLinks implements IncidentLinks {
  private final Database db;
  private final Dialect d;

  public SqlIncidentLinks(Database db) {
    this.db = db;
    this.d = db.dialect();
  }

  @Override
  public Future<Void> link(String pagerDutyId, IncidentId incident, Instant now) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "INSERT INTO pagerduty_incidents (pagerduty_id, incident_id, created_at) "
                            + "VALUES (?, ?, ?) ON CONFLICT (pagerduty_id) DO NOTHING"))
                .execute(Tuple.of(pagerDutyId, incident.number(), now.toEpochMilli()))
                .mapEmpty());
  }

  @Override
  public Future<Optional<IncidentId>> find(String pagerDutyId) {
    return db.reader()
        .preparedQuery(d.sql("SELECT incident_id FROM pagerduty_incidents WHERE pagerduty_id = ?"))
        .execute(Tuple.of(pagerDutyId))
        .map(
            rs ->
                rs.size() == 0
                    ? Optional.<IncidentId>empty()
                    : Optional.of(
                        new IncidentId(Rows.getLong(rs.iterator().next(), "incident_id"))));
  }
}
