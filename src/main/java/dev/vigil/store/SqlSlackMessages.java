package dev.vigil.store;

import dev.vigil.incident.IncidentId;
import dev.vigil.slack.SlackMessage;
import dev.vigil.slack.SlackMessageStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link SlackMessageStore} in SQL (table {@code slack_messages}, migrations V4 and V7). A row
 * whose {@code ts} is NULL is an intent to post (V7): its {@code posted_at} is when the first try
 * began.
 */
public final class SqlSlackMessages implements SlackMessageStore {
  private static final String COLUMNS = "incident_id, channel, channel_id, ts, fallback";

  private final Database db;
  private final Dialect d;

  public SqlSlackMessages(Database db) {
    this.db = db;
    this.d = db.dialect();
  }

  @Override
  public Future<Optional<SlackMessage>> get(IncidentId incident, String channel) {
    return query(
            "SELECT "
                + COLUMNS
                + " FROM slack_messages WHERE incident_id = ? AND channel = ? AND ts IS NOT NULL",
            Tuple.of(incident.number(), channel))
        .map(list -> list.stream().findFirst());
  }

  @Override
  public Future<List<SlackMessage>> forIncident(IncidentId incident) {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM slack_messages WHERE incident_id = ? AND ts IS NOT NULL ORDER BY posted_at, channel",
        Tuple.of(incident.number()));
  }

  @Override
  public Future<Void> put(SlackMessage m, Instant now) {
    return db.writer()
        .preparedQuery(
            d.sql(
                "INSERT INTO slack_messages (incident_id, channel, channel_id, ts, fallback, posted_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id, channel) DO UPDATE SET channel_id = excluded.channel_id, "
                    + "ts = excluded.ts, fallback = excluded.fallback, updated_at = excluded.updated_at"))
        .execute(
            Tuple.from(
                new Object[] {
                  m.incident().number(),
                  m.channel(),
                  m.channelId(),
                  m.ts(),
                  m.fallback() ? 1 : 0,
                  now.toEpochMilli(),
                  now.toEpochMilli()
                }))
        .mapEmpty();
  }

  @Override
  public Future<Optional<Instant>> beginPost(
      IncidentId incident, String channel, boolean fallback, Instant now) {
    // One statement decides, so two tries racing (two replicas) cannot both take it for the first.
    return db.writer()
        .preparedQuery(
            d.sql(
                "INSERT INTO slack_messages (incident_id, channel, channel_id, ts, fallback, posted_at, updated_at) "
                    + "VALUES (?, ?, NULL, NULL, ?, ?, ?) ON CONFLICT (incident_id, channel) DO NOTHING"))
        .execute(
            Tuple.from(
                new Object[] {
                  incident.number(),
                  channel,
                  fallback ? 1 : 0,
                  now.toEpochMilli(),
                  now.toEpochMilli()
                }))
        .compose(
            rs ->
                rs.rowCount() == 1
                    ? Future.succeededFuture(Optional.<Instant>empty())
                    : db.writer()
                        .preparedQuery(
                            d.sql(
                                "SELECT posted_at FROM slack_messages WHERE incident_id = ? AND channel = ?"))
                        .execute(Tuple.of(incident.number(), channel))
                        .map(
                            rows -> {
                              for (Row r : rows) {
                                return Optional.of(
                                    Instant.ofEpochMilli(Rows.getLong(r, "posted_at")));
                              }
                              return Optional.<Instant>empty();
                            }));
  }

  @Override
  public Future<Optional<String>> channelId(String channel) {
    return db.reader()
        .preparedQuery(
            d.sql(
                "SELECT channel_id FROM slack_messages WHERE channel = ? AND channel_id IS NOT NULL "
                    + "ORDER BY updated_at DESC LIMIT 1"))
        .execute(Tuple.of(channel))
        .map(
            rows -> {
              for (Row r : rows) {
                return Optional.ofNullable(r.getString("channel_id"));
              }
              return Optional.<String>empty();
            });
  }

  private Future<List<SlackMessage>> query(String sql, Tuple params) {
    return db.reader()
        .preparedQuery(d.sql(sql))
        .execute(params)
        .map(
            rs -> {
              List<SlackMessage> out = new ArrayList<>();
              for (Row r : rs) {
                out.add(
                    new SlackMessage(
                        new IncidentId(Rows.getLong(r, "incident_id")),
                        r.getString("channel"),
                        r.getString("channel_id"),
                        r.getString("ts"),
                        Rows.getBool(r, "fallback")));
              }
              return out;
            });
  }
}
