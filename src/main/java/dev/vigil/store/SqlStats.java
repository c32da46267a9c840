package dev.vigil.store;

import dev.vigil.stats.StatsInput;
import dev.vigil.stats.StatsQuery;
import dev.vigil.stats.StatsStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * {@link StatsStore} over the incidents, outbox and runs tables: three read queries, each filtered
 * to the incidents of the query. The same SQL on SQLite and PostgreSQL.
 */
public final class SqlStats implements StatsStore {
  private final Database db;

  public SqlStats(Database db) {
    this.db = db;
  }

  @Override
  public Future<StatsInput> load(StatsQuery q) {
    Filter f = Filter.of(q);
    Future<List<StatsInput.IncidentTimes>> incidents =
        query(
            "SELECT i.opened_at, i.acknowledged_at, i.resolved_at, i.resolved_by, "
                + "(SELECT MAX(o.level) FROM outbox o WHERE o.incident_id = i.id AND o.kind = 'page') AS top_level "
                + "FROM incidents i WHERE "
                + f.where,
            f.params,
            new ArrayList<>(),
            (out, r) ->
                out.add(
                    new StatsInput.IncidentTimes(
                        Rows.getInstant(r, "opened_at"),
                        Rows.getInstant(r, "acknowledged_at"),
                        Rows.getInstant(r, "resolved_at"),
                        r.getString("resolved_by"),
                        Rows.getInt(r, "top_level"))));
    Future<Map<String, Long>> pages =
        query(
            "SELECT o.team, COUNT(*) AS n FROM outbox o JOIN incidents i ON i.id = o.incident_id "
                + "WHERE o.kind = 'page' AND "
                + f.where
                + " GROUP BY o.team",
            f.params,
            new HashMap<>(),
            (out, r) -> out.put(r.getString("team"), Rows.getLong(r, "n")));
    Future<Map<String, StatsInput.RunTally>> runs =
        query(
            "SELECT r.runbook, COUNT(*) AS n, SUM(CASE WHEN r.status = 'succeeded' THEN 1 ELSE 0 END) AS ok "
                + "FROM runs r JOIN incidents i ON i.id = r.incident_id "
                + "WHERE r.ended_at IS NOT NULL AND r.mode <> 'dry-run' AND "
                + f.where
                + " GROUP BY r.runbook",
            f.params,
            new HashMap<>(),
            (out, r) ->
                out.put(
                    r.getString("runbook"),
                    new StatsInput.RunTally(Rows.getLong(r, "n"), Rows.getLong(r, "ok"))));
    return Future.all(incidents, pages, runs)
        .map(v -> new StatsInput(incidents.result(), pages.result(), runs.result()));
  }

  private <T> Future<T> query(String sql, Tuple params, T out, BiConsumer<T, Row> add) {
    return db.reader()
        .preparedQuery(db.dialect().sql(sql))
        .execute(params)
        .map(
            (RowSet<Row> rs) -> {
              rs.forEach((Consumer<Row>) r -> add.accept(out, r));
              return out;
            });
  }

  /**
   * The incidents of a query, as a condition on {@code i} and its parameters (only the filters
   * given).
   */
  private record Filter(String where, Tuple params) {
    static Filter of(StatsQuery q) {
      StringBuilder where = new StringBuilder("i.dropped = 0 AND i.opened_at >= ?");
      Tuple params = Tuple.of(q.since().toEpochMilli());
      if (q.team() != null) {
        where.append(" AND i.team = ?");
        params.addString(q.team());
      }
      if (q.severity() != null) {
        where.append(" AND i.severity = ?");
        params.addString(q.severity().wire());
      }
      return new Filter(where.toString(), params);
    }
  }
}
