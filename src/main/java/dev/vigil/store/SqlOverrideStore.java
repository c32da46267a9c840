package dev.vigil.store;

import dev.vigil.oncall.OverrideStore;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.TeamId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@link OverrideStore} in SQL (table {@code overrides}, migration V2). */
public final class SqlOverrideStore implements OverrideStore {
  private final Database db;
  private final Dialect d;

  public SqlOverrideStore(Database db) {
    this.db = db;
    this.d = db.dialect();
  }

  @Override
  public Future<ScheduleOverride> add(ScheduleOverride o) {
    // In a transaction: with sqlite-jdbc an auto-committed INSERT ... RETURNING was not yet visible
    // to
    // the reader pool when its future completed (seen in EscalatorTest); an explicit commit is.
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "INSERT INTO overrides (team, starts_at, ends_at, created_by, reason, created_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"))
                .execute(
                    Tuple.of(
                        o.team().value(),
                        o.from().toEpochMilli(),
                        o.until().toEpochMilli(),
                        o.by(),
                        o.reason(),
                        o.createdAt().toEpochMilli()))
                .map(
                    rs ->
                        new ScheduleOverride(
                            Rows.longValue(rs.iterator().next().getValue(0), 0),
                            o.team(),
                            o.from(),
                            o.until(),
                            o.by(),
                            o.reason(),
                            o.createdAt())));
  }

  @Override
  public Future<List<ScheduleOverride>> current(Instant now) {
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT id, team, starts_at, ends_at, created_by, reason, created_at FROM overrides "
                    + "WHERE ends_at > ? ORDER BY starts_at, id"))
        .execute(Tuple.of(now.toEpochMilli()))
        .map(
            rs -> {
              List<ScheduleOverride> out = new ArrayList<>();
              for (Row r : rs) {
                out.add(
                    new ScheduleOverride(
                        Rows.getLong(r, "id"),
                        new TeamId(r.getString("team")),
                        Rows.getInstant(r, "starts_at"),
                        Rows.getInstant(r, "ends_at"),
                        r.getString("created_by"),
                        r.getString("reason"),
                        Rows.getInstant(r, "created_at")));
              }
              return out;
            });
  }

  @Override
  public Future<Boolean> remove(long id) {
    return db.writer()
        .preparedQuery(d.sql("DELETE FROM overrides WHERE id = ?"))
        .execute(Tuple.of(id))
        .map(rs -> rs.rowCount() > 0);
  }
}
