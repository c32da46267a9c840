package dev.vigil.store;

import dev.vigil.heartbeat.HeartbeatStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Optional;

/** {@link HeartbeatStore} in SQL (table {@code heartbeats}, migration V5). */
public final class SqlHeartbeatStore implements HeartbeatStore {
  private static final String LATER =
      "last_seen = CASE WHEN heartbeats.last_seen < excluded.last_seen THEN excluded.last_seen "
          + "ELSE heartbeats.last_seen END";

  private final Database db;
  private final Dialect d;

  public SqlHeartbeatStore(Database db) {
    this.db = db;
    this.d = db.dialect();
  }

  @Override
  public Future<Void> register(String name, Instant now, boolean missing) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "INSERT INTO heartbeats (name, last_seen, missing) VALUES (?, ?, ?) "
                            + "ON CONFLICT (name) DO UPDATE SET "
                            + LATER))
                .execute(Tuple.of(name, now.toEpochMilli(), missing ? 1 : 0))
                .mapEmpty());
  }

  @Override
  public Future<Boolean> seen(String name, Instant at) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(d.sql("SELECT missing FROM heartbeats WHERE name = ?"))
                .execute(Tuple.of(name))
                .compose(
                    rs -> {
                      boolean wasMissing =
                          rs.size() == 1 && Rows.getInt(rs.iterator().next(), "missing") == 1;
                      return conn.preparedQuery(
                              d.sql(
                                  "INSERT INTO heartbeats (name, last_seen, missing) VALUES (?, ?, 0) "
                                      + "ON CONFLICT (name) DO UPDATE SET missing = 0, "
                                      + LATER))
                          .execute(Tuple.of(name, at.toEpochMilli()))
                          .map(wasMissing);
                    }));
  }

  @Override
  public Future<Optional<State>> state(String name) {
    return db.reader()
        .preparedQuery(d.sql("SELECT last_seen, missing FROM heartbeats WHERE name = ?"))
        .execute(Tuple.of(name))
        .map(
            rs ->
                rs.size() == 0
                    ? Optional.empty()
                    : Optional.of(
                        new State(
                            Rows.getInstant(rs.iterator().next(), "last_seen"),
                            Rows.getInt(rs.iterator().next(), "missing") == 1)));
  }

  @Override
  public Future<Boolean> markMissing(String name, Instant lastSeen) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "UPDATE heartbeats SET missing = 1 WHERE name = ? AND missing = 0 AND last_seen = ?"))
                .execute(Tuple.of(name, lastSeen.toEpochMilli()))
                .map(rs -> rs.rowCount() == 1));
  }
}
