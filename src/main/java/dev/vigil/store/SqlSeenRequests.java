package dev.vigil.store;

import dev.vigil.web.SeenRequests;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SeenRequests} in SQL (table {@code slack_seen_requests}, migration V8). The primary key
 * decides: {@code INSERT ... ON CONFLICT DO NOTHING} (SQLite and PostgreSQL alike) inserts a new
 * signature and reports a seen one as no row inserted. Rows past their expiry are deleted on the way,
 * at most once a minute per process, in the same transaction as an insert.
 */
public final class SqlSeenRequests implements SeenRequests {
  static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private final Database db;
  private final Dialect d;
  private final Clock clock;
  private final AtomicLong nextSweep = new AtomicLong();

  public SqlSeenRequests(Database db, Clock clock) {
    this.db = db;
    this.d = db.dialect();
    this.clock = clock;
  }

  @Override
  public Future<Boolean> firstSighting(String signature, Instant until) {
    long now = clock.millis();
    long due = nextSweep.get();
    boolean sweep = now >= due && nextSweep.compareAndSet(due, now + SWEEP_EVERY.toMillis());
    return db.inTransaction(conn -> {
      Future<Void> swept = !sweep ? Future.succeededFuture()
          : conn.preparedQuery(d.sql("DELETE FROM slack_seen_requests WHERE expires_at < ?")).execute(Tuple.of(now)).mapEmpty();
      return swept.compose(v -> conn.preparedQuery(d.sql("INSERT INTO slack_seen_requests (signature, expires_at) VALUES (?, ?) "
              + "ON CONFLICT (signature) DO NOTHING"))
          .execute(Tuple.of(signature, until.toEpochMilli())).map(rs -> rs.rowCount() == 1));
    });
  }

  @Override
  public Future<Void> forget(String signature) {
    return db.inTransaction(conn -> conn.preparedQuery(d.sql("DELETE FROM slack_seen_requests WHERE signature = ?"))
        .execute(Tuple.of(signature)).mapEmpty());
  }
}
