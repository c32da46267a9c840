package dev.vigil.store;

import dev.vigil.ha.LeaseStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/**
 * {@link LeaseStore} in SQL (table {@code leases}, migration V5). Taking a lease is one upsert
 * whose update only applies when the lease is free, expired or already the caller's, so two
 * replicas racing for it cannot both win: the database serialises the two writes to the row.
 */
public final class SqlLeaseStore implements LeaseStore {
  private final Database db;

  public SqlLeaseStore(Database db) {
    this.db = db;
  }

  @Override
  public Future<Boolean> acquire(String name, String owner, Instant now, Instant expires) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    db.dialect()
                        .sql(
                            "INSERT INTO leases (name, owner, expires) VALUES (?, ?, ?) "
                                + "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires "
                                + "WHERE leases.owner = excluded.owner OR leases.expires < ?"))
                .execute(Tuple.of(name, owner, expires.toEpochMilli(), now.toEpochMilli()))
                .map(rs -> rs.rowCount() == 1));
  }

  @Override
  public Future<Void> release(String name, String owner) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(db.dialect().sql("DELETE FROM leases WHERE name = ? AND owner = ?"))
                .execute(Tuple.of(name, owner))
                .mapEmpty());
  }
}
