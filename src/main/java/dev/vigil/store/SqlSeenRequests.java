package dev.vigil.store;

import dev.vigil.web.SeenRequests;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SeenRequests} in SQL (table {@code slack_seen_requests}, migration V8). The primary key
 * decides: {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} the row has lapsed (SQLite and
 * PostgreSQL alike) inserts a new signature, takes over a lapsed one, and reports a live one as no
 * row written. Rows past their expiry are deleted on the way, at most once a minute per process, in
 * the same transaction as an insert.
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
    return db.inTransaction(
        conn -> {
          Future<Void> swept =
              !sweep
                  ? Future.succeededFuture()
                  : conn.preparedQuery(
                          d.sql("DELETE FROM slack_seen_requests WHERE expires_at < ?"))
                      .execute(Tuple.of(now))
                      .mapEmpty();
          // a lapsed entry is taken over as if absent
          return swept.compose(
              v ->
                  conn.preparedQuery(
                          d.sql(
                              "INSERT INTO slack_seen_requests (signature, expires_at) VALUES (?, ?) "
                                  + "ON CONFLICT (signature) DO UPDATE SET expires_at = excluded.expires_at WHERE slack_seen_requests.expires_at < ?"))
                      .execute(Tuple.of(signature, until.toEpochMilli(), now))
                      .map(rs -> rs.rowCount() == 1));
        });
  }

  @Override
  public Future<Void> keep(String signature, Instant until) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql("UPDATE slack_seen_requests SET expires_at = ? WHERE signature = ?"))
                .execute(Tuple.of(until.toEpochMilli(), signature))
                .mapEmpty());
  }

  @Override
  public Future<Optional<Instant>> until(String signature) {
    long now = clock.millis();
    return db.reader()
        .preparedQuery(d.sql("SELECT expires_at FROM slack_seen_requests WHERE signature = ?"))
        .execute(Tuple.of(signature))
        .map(
            rs ->
                rs.size() == 0 || rs.iterator().next().getLong(0) < now
                    ? Optional.<Instant>empty()
                    : Optional.of(Instant.ofEpochMilli(rs.iterator().next().getLong(0))));
  }

  @Override
  public Future<Void> forget(String signature) {
    return db.inTransaction(
        conn ->
            conn.preparedQuery(d.sql("DELETE FROM slack_seen_requests WHERE signature = ?"))
                .execute(Tuple.of(signature))
                .mapEmpty());
  }
}
