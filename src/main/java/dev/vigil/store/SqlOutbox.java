package dev.vigil.store;

import dev.vigil.ha.Replica;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.Outbox;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.oncall.TeamId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/** {@link Outbox} in SQL (table {@code outbox}, migration V2). */
public final class SqlOutbox implements Outbox {
  private static final String COLUMNS =
      "id, idempotency_key, kind, incident_id, team, level, channels, payload, status, attempts, "
          + "next_attempt_at, created_at, delivered_at, last_error, done, receipts";

  static final String INSERT_INTENT =
      "INSERT INTO outbox (idempotency_key, kind, incident_id, team, level, channels, "
          + "payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
          + "ON CONFLICT (idempotency_key) DO NOTHING";
  private static final String DELIVERED =
      "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, "
          + "delivered_at = ? WHERE id = ? AND status = 'pending'";
  // the claim ends with the attempt: the retry goes to whichever replica finds it due
  private static final String ATTEMPTED =
      "UPDATE outbox SET attempts = attempts + 1, last_error = ?, status = ?, "
          + "next_attempt_at = ?, done = ?, receipts = ?, lease_owner = NULL, lease_expires = NULL WHERE id = ? AND status = 'pending'";
  private static final String FINISHED =
      "UPDATE outbox SET attempts = attempts + 1, last_error = ?, status = ?, "
          + "delivered_at = ?, done = ?, receipts = ? WHERE id = ? AND status = 'pending'";

  private final Database db;
  private final Dialect d;
  private final Replica replica;

  /** SQLite: the writes as work of its writer thread; null on PostgreSQL. */
  private final SqliteOutboxWrites sqlite;

  public SqlOutbox(Database db) {
    this(db, Replica.alone());
  }

  public SqlOutbox(Database db, Replica replica) {
    this.db = db;
    this.d = db.dialect();
    this.replica = replica;
    this.sqlite = db.sqliteWriter() == null ? null : new SqliteOutboxWrites(db.sqliteWriter());
  }

  @Override
  public Future<Boolean> enqueue(NotificationIntent intent, Instant now) {
    if (sqlite != null) {
      return sqlite.enqueue(intent, now);
    }
    return db.inTransaction(conn -> insertIntents(conn, d, List.of(intent), now)).map(n -> n == 1);
  }

  @Override
  public Future<List<OutboxEntry>> due(Instant now, int limit) {
    if (replica.shared()) {
      return claim(now, limit);
    }
    Future<List<OutboxEntry>> rows =
        query(
            "SELECT "
                + COLUMNS
                + " FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            Tuple.of(now.toEpochMilli(), limit));
    if (sqlite == null) {
      return rows;
    }
    // a row read here may be committed but not yet on disk (ADR 0146): nothing is sent for it
    // until it is, so that a crash cannot leave a page sent for an intent that was never stored
    return rows.compose(
        list -> list.isEmpty() ? Future.succeededFuture(list) : sqlite.durable().map(list));
  }

  /**
   * Claims due intents nobody is delivering (never claimed, claim released by a recorded attempt,
   * or claim run out), in one transaction; rows another replica is claiming at this moment are
   * skipped, not waited for. Those this replica delivers already keep their claims ({@link
   * #renewClaims}).
   */
  private Future<List<OutboxEntry>> claim(Instant now, int limit) {
    long expires = replica.expiry(now).toEpochMilli();
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "UPDATE outbox SET lease_owner = ?, lease_expires = ? WHERE id IN ("
                            + "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
                            + "AND (lease_owner IS NULL OR lease_expires < ?) ORDER BY id LIMIT ?"
                            + d.skipLocked()
                            + ")"))
                .execute(
                    Tuple.of(replica.id(), expires, now.toEpochMilli(), now.toEpochMilli(), limit))
                .compose(
                    rs ->
                        rs.rowCount() == 0
                            ? Future.succeededFuture(List.of())
                            : conn.preparedQuery(
                                    d.sql(
                                        "SELECT "
                                            + COLUMNS
                                            + " FROM outbox WHERE lease_owner = ? AND lease_expires = ? "
                                            + "AND status = 'pending' ORDER BY id"))
                                .execute(Tuple.of(replica.id(), expires))
                                .map(SqlOutbox::entries)));
  }

  @Override
  public Future<Void> renewClaims(Instant now, Collection<Long> ids) {
    if (!replica.shared() || ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows =
        ids.stream()
            .map(id -> Tuple.of(replica.expiry(now).toEpochMilli(), replica.id(), id))
            .toList();
    return db.inTransaction(
        conn ->
            conn.preparedQuery(
                    d.sql(
                        "UPDATE outbox SET lease_expires = ? WHERE lease_owner = ? AND id = ? "
                            + "AND status = 'pending'"))
                .executeBatch(rows)
                .mapEmpty());
  }

  @Override
  public Future<Void> delivered(
      List<OutboxEntry> entries, Instant now, Function<OutboxEntry, TimelineEvent> event) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    if (sqlite != null) {
      List<Object[]> updates = new ArrayList<>();
      List<SqliteOutboxWrites.Lines> lines = new ArrayList<>();
      for (OutboxEntry entry : entries) {
        updates.add(new Object[] {now.toEpochMilli(), entry.id()});
        TimelineEvent e = event.apply(entry);
        lines.add(
            new SqliteOutboxWrites.Lines(
                e == null ? null : entry.intent().incident(), e == null ? List.of() : List.of(e)));
      }
      return sqlite.record(DELIVERED, updates, lines);
    }
    return db.inTransaction(
        conn -> {
          Future<Void> chain = Future.succeededFuture();
          for (OutboxEntry entry : entries) {
            chain =
                chain.compose(
                    v ->
                        conn.preparedQuery(d.sql(DELIVERED))
                            .execute(Tuple.of(now.toEpochMilli(), entry.id()))
                            .compose(
                                rs -> {
                                  TimelineEvent e = event.apply(entry);
                                  return rs.rowCount() == 1
                                          && e != null
                                          && entry.intent().incident() != null
                                      ? insertEvents(conn, d, entry.intent().incident(), List.of(e))
                                      : Future.succeededFuture();
                                }));
          }
          return chain;
        });
  }

  @Override
  public Future<Void> attempted(
      OutboxEntry entry,
      Set<String> done,
      Map<String, Map<String, String>> receipts,
      String error,
      Instant retryAt,
      List<TimelineEvent> events) {
    return record(
        ATTEMPTED,
        new Object[] {
          error,
          retryAt == null ? "failed" : "pending",
          retryAt == null ? entry.nextAttemptAt().toEpochMilli() : retryAt.toEpochMilli(),
          doneText(done),
          receiptsText(receipts),
          entry.id()
        },
        entry,
        events);
  }

  @Override
  public Future<Void> finished(
      OutboxEntry entry,
      Set<String> done,
      Map<String, Map<String, String>> receipts,
      String error,
      Instant now,
      List<TimelineEvent> events) {
    return record(
        FINISHED,
        new Object[] {
          error,
          error == null ? "delivered" : "failed",
          now.toEpochMilli(),
          doneText(done),
          receiptsText(receipts),
          entry.id()
        },
        entry,
        events);
  }

  /**
   * Updates the pending intent of {@code entry} ({@code sql} with {@code params}) and, when that
   * changed it, adds {@code events} to its incident's timeline, in one transaction.
   */
  private Future<Void> record(
      String sql, Object[] params, OutboxEntry entry, List<TimelineEvent> events) {
    IncidentId incident = entry.intent().incident();
    if (sqlite != null) {
      return sqlite.record(
          sql, List.<Object[]>of(params), List.of(new SqliteOutboxWrites.Lines(incident, events)));
    }
    return db.inTransaction(
        conn ->
            conn.preparedQuery(d.sql(sql))
                .execute(Tuple.from(params))
                .compose(
                    rs ->
                        rs.rowCount() == 1 && incident != null
                            ? insertEvents(conn, d, incident, events)
                            : Future.succeededFuture()));
  }

  private static String receiptsText(Map<String, Map<String, String>> receipts) {
    JsonObject o = new JsonObject();
    new TreeMap<>(receipts)
        .forEach((k, v) -> o.put(k, new JsonObject(new TreeMap<String, Object>(v))));
    return o.encode();
  }

  private static Map<String, Map<String, String>> receiptsOf(String text) {
    if (text == null || text.isEmpty()) {
      return Map.of();
    }
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    JsonObject o = new JsonObject(text);
    for (String k : o.fieldNames()) {
      Map<String, String> fields = new LinkedHashMap<>();
      o.getJsonObject(k).forEach(e -> fields.put(e.getKey(), String.valueOf(e.getValue())));
      out.put(k, fields);
    }
    return out;
  }

  private static String doneText(Set<String> done) {
    return String.join(",", new TreeSet<>(done));
  }

  /** How many notifications wait to be delivered (the outbox depth). */
  public Future<Long> pending() {
    return db.reader()
        .query("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        .execute()
        .map(rs -> Rows.longValue(rs.iterator().next().getValue(0), 0));
  }

  @Override
  public Future<List<OutboxEntry>> forIncident(IncidentId incident) {
    return query(
        "SELECT " + COLUMNS + " FROM outbox WHERE incident_id = ? ORDER BY id",
        Tuple.of(incident.number()));
  }

  @Override
  public Future<Optional<OutboxEntry>> byKey(String key) {
    return query("SELECT " + COLUMNS + " FROM outbox WHERE idempotency_key = ?", Tuple.of(key))
        .map(l -> l.stream().findFirst());
  }

  @Override
  public Future<List<OutboxEntry>> recent(NotificationIntent.Kind kind, int limit) {
    return query(
        "SELECT " + COLUMNS + " FROM outbox WHERE kind = ? ORDER BY id DESC LIMIT ?",
        Tuple.of(kind.wire(), limit));
  }

  private Future<List<OutboxEntry>> query(String sql, Tuple params) {
    return db.reader().preparedQuery(d.sql(sql)).execute(params).map(SqlOutbox::entries);
  }

  private static List<OutboxEntry> entries(RowSet<Row> rs) {
    List<OutboxEntry> out = new ArrayList<>();
    rs.forEach(r -> out.add(entry(r)));
    return out;
  }

  /** The parameters of {@link #INSERT_INTENT}. */
  static Object[] intentRow(NotificationIntent i, Instant now) {
    return new Object[] {
      i.key(),
      i.kind().wire(),
      i.incident() == null ? null : i.incident().number(),
      i.team().value(),
      i.level(),
      String.join(",", i.channels()),
      i.payload(),
      now.toEpochMilli(),
      now.toEpochMilli()
    };
  }

  /** Inserts intents whose keys are new; completes with how many were inserted. */
  static Future<Integer> insertIntents(
      SqlConnection conn, Dialect d, List<NotificationIntent> intents, Instant now) {
    Future<Integer> chain = Future.succeededFuture(0);
    for (NotificationIntent i : intents) {
      chain =
          chain.compose(
              n ->
                  conn.preparedQuery(d.sql(INSERT_INTENT))
                      .execute(Tuple.from(intentRow(i, now)))
                      .map(rs -> n + rs.rowCount()));
    }
    return chain;
  }

  static Future<Void> insertEvents(
      SqlConnection conn, Dialect d, IncidentId incident, List<TimelineEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    for (TimelineEvent e : events) {
      rows.add(Tuple.of(incident.number(), e.at().toEpochMilli(), e.kind(), e.by(), e.text()));
    }
    String sql = d.sql(SqlIncidentStore.INSERT_LINE);
    return (rows.size() == 1
            ? conn.preparedQuery(sql).execute(rows.get(0))
            : conn.preparedQuery(sql).executeBatch(rows))
        .mapEmpty();
  }

  private static Set<String> doneSet(String text) {
    return text == null || text.isEmpty() ? Set.of() : Set.of(text.split(","));
  }

  private static OutboxEntry entry(Row r) {
    Object inc = r.getValue("incident_id");
    String channels = r.getString("channels");
    NotificationIntent intent =
        new NotificationIntent(
            r.getString("idempotency_key"),
            NotificationIntent.Kind.valueOf(r.getString("kind").toUpperCase()),
            inc == null ? null : new IncidentId(Rows.longValue(inc, 0)),
            new TeamId(r.getString("team")),
            Rows.getInt(r, "level"),
            channels == null || channels.isEmpty() ? List.of() : Arrays.asList(channels.split(",")),
            r.getString("payload"));
    return new OutboxEntry(
        Rows.getLong(r, "id"),
        intent,
        OutboxEntry.Status.valueOf(r.getString("status").toUpperCase()),
        Rows.getInt(r, "attempts"),
        Rows.getInstant(r, "next_attempt_at"),
        Rows.getInstant(r, "created_at"),
        Rows.getInstant(r, "delivered_at"),
        r.getString("last_error"),
        doneSet(r.getString("done")),
        receiptsOf(r.getString("receipts")));
  }
}
