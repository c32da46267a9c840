package dev.vigil.store;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import io.vertx.core.Future;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The outbox's writes on SQLite, as work of the {@link SqliteWriter}: one hand-off to the writer
 * thread per write, plain JDBC on statements prepared once, committed in the writer's next
 * transaction with whatever else is queued. A write's future completes after that commit.
 */
final class SqliteOutboxWrites {
  private final SqliteWriter writer;

  SqliteOutboxWrites(SqliteWriter writer) {
    this.writer = writer;
  }

  /** Completes once every commit a reader could have seen so far is on disk. */
  Future<Void> durable() {
    return writer.durable();
  }

  /** Inserts the intent unless its key is known; completes with whether it was inserted. */
  Future<Boolean> enqueue(NotificationIntent intent, Instant now) {
    return writer.submit(
        tx -> {
          PreparedStatement ps = tx.prepare(SqlOutbox.INSERT_INTENT);
          SqliteIngest.bind(ps, SqlOutbox.intentRow(intent, now));
          return ps.executeUpdate() == 1;
        });
  }

  /**
   * Runs each of {@code updates} (an update of one pending intent: {@code sql} with its
   * parameters); when it changed the row, adds its timeline lines to the intent's incident.
   */
  Future<Void> record(String sql, List<Object[]> updates, List<Lines> lines) {
    return writer.submit(
        tx -> {
          PreparedStatement ps = tx.prepare(sql);
          for (int i = 0; i < updates.size(); i++) {
            SqliteIngest.bind(ps, updates.get(i));
            Lines l = lines.get(i);
            if (ps.executeUpdate() == 1 && l.incident() != null) {
              insertLines(tx, l.incident(), l.events());
            }
          }
          return null;
        });
  }

  /** Timeline lines for an incident (none when {@code incident} is null). */
  record Lines(IncidentId incident, List<TimelineEvent> events) {}

  private static void insertLines(
      SqliteWriter.Tx tx, IncidentId incident, List<TimelineEvent> events) throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    PreparedStatement ps = tx.prepare(SqlIncidentStore.INSERT_LINE);
    for (TimelineEvent e : events) {
      SqliteIngest.bind(
          ps, new Object[] {incident.number(), e.at().toEpochMilli(), e.kind(), e.by(), e.text()});
      ps.executeUpdate();
    }
  }
}
