package dev.vigil.notify;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.oncall.TeamId;
import dev.vigil.slack.SlackMessage;
import dev.vigil.store.Database;
import dev.vigil.store.SqlOutbox;
import dev.vigil.store.SqlSlackMessages;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The outbox's delivery bookkeeping and the Slack message table (V4, V7), on SQLite and PostgreSQL.
 */
class NotifyStoreTest {
  static final Instant T = Instant.parse("2026-11-29T06:00:00Z");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void progressFailureAndMessagesSurviveAReopen(String dialect) {
    Vertx vertx = Vertx.vertx();
    Pool admin = null;
    String database = "vigil_f5_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String url = "sqlite:" + dir.resolve("vigil.db");
    if (dialect.equals("postgres")) {
      admin =
          PgBuilder.pool()
              .connectingTo(
                  new PgConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(5432)
                      .setUser("postgres")
                      .setDatabase("postgres"))
              .using(vertx)
              .build();
      try {
        await(admin.query("CREATE DATABASE " + database).execute());
      } catch (RuntimeException e) {
        await(vertx.close());
        Assumptions.assumeTrue(
            "true".equals(System.getenv("CI")), "no PostgreSQL on 127.0.0.1:5432");
        throw e;
      }
      url = "postgresql://postgres@127.0.0.1:5432/" + database;
    }
    VigilConfig.Store config =
        new VigilConfig.Store(url, new Secret(""), "FULL", Duration.ofSeconds(5), 4);
    try {
      Database db = await(Database.open(vertx, config));
      await(
          db.writer()
              .query(
                  "INSERT INTO incidents (group_key, status, severity, type, title, labels, alert_count, firing_count, "
                      + "opened_at, updated_at) VALUES ('g', 'triggered', 'critical', 'x', 'checkout down', '{}', 1, 1, 0, 0)")
              .execute());
      IncidentId inc = new IncidentId(1);
      SqlOutbox outbox = new SqlOutbox(db);
      NotificationIntent page =
          new NotificationIntent(
              "page:INC-1:0:eu",
              NotificationIntent.Kind.PAGE,
              inc,
              new TeamId("eu"),
              1,
              List.of("pagerduty", "slack"),
              "{}");
      assertThat(await(outbox.enqueue(page, T))).isTrue();
      OutboxEntry e = await(outbox.due(T, 10)).get(0);
      // V13: what PagerDuty answered is kept with the intent, for a runbook step that waits for it
      await(
          outbox.attempted(
              e,
              Set.of("pagerduty"),
              Map.of("pagerduty", Map.of("dedupKey", "INC-1")),
              "slack: HTTP 503",
              T.plusSeconds(30),
              List.of(
                  new TimelineEvent(
                      T, "notified", "notify", "paged team eu (level 1) via pagerduty"))));
      await(
          new SqlSlackMessages(db)
              .put(new SlackMessage(inc, "#ops-eu", "C1", "1700000000.000100", true), T));
      await(db.close());

      db = await(Database.open(vertx, config)); // as after a restart
      outbox = new SqlOutbox(db);
      assertThat(await(outbox.due(T.plusSeconds(29), 10))).isEmpty();
      OutboxEntry again = await(outbox.due(T.plusSeconds(30), 10)).get(0);
      assertThat(again.done()).containsExactly("pagerduty");
      assertThat(again.attempts()).isEqualTo(1);
      assertThat(again.lastError()).isEqualTo("slack: HTTP 503");
      assertThat(again.receipts()).isEqualTo(Map.of("pagerduty", Map.of("dedupKey", "INC-1")));
      assertThat(await(outbox.byKey("page:INC-1:0:eu")).map(OutboxEntry::id)).contains(again.id());
      assertThat(await(outbox.byKey("page:INC-9:0:eu"))).isEmpty();
      await(
          outbox.finished(
              again,
              Set.of("pagerduty", "slack"),
              "slack: chat.postMessage to #ops-eu failed: channel_not_found",
              T.plusSeconds(31),
              List.of(
                  new TimelineEvent(
                      T, "notify-failed", "notify", "slack: channel_not_found; not retried"))));
      await(
          outbox.finished(
              again,
              Set.of(),
              null,
              T.plusSeconds(32),
              List.of(new TimelineEvent(T, "x", "notify", "twice"))));
      OutboxEntry last = await(outbox.forIncident(inc)).get(0);
      assertThat(last.status()).isEqualTo(OutboxEntry.Status.FAILED);
      assertThat(last.attempts()).as("a finished intent is left alone").isEqualTo(2);
      assertThat(last.receipts())
          .as("the receipts of earlier attempts are kept")
          .containsOnlyKeys("pagerduty");
      List<String> timeline =
          await(db.reader().query("SELECT kind FROM timeline ORDER BY id").execute()).stream()
              .map(r -> r.getString(0))
              .toList();
      assertThat(timeline).containsExactly("notified", "notify-failed");

      SqlSlackMessages messages = new SqlSlackMessages(db);
      assertThat(await(messages.get(inc, "#ops-eu")))
          .contains(new SlackMessage(inc, "#ops-eu", "C1", "1700000000.000100", true));
      await(messages.put(new SlackMessage(inc, "#ops-eu", "C1", "1700000000.000200", false), T));
      assertThat(await(messages.forIncident(inc)))
          .extracting(SlackMessage::ts)
          .containsExactly("1700000000.000200");

      // V7: the intent to post, recorded before Slack answers, is not a message yet; a retry learns
      // when it began
      await(
          db.writer()
              .query(
                  "INSERT INTO incidents (group_key, status, severity, type, title, labels, alert_count, firing_count, "
                      + "opened_at, updated_at) VALUES ('g2', 'triggered', 'critical', 'x', 'payments down', '{}', 1, 1, 0, 0)")
              .execute());
      IncidentId inc2 = new IncidentId(2);
      assertThat(await(messages.beginPost(inc2, "#ops-eu", false, T)))
          .as("the first try")
          .isEmpty();
      assertThat(await(messages.get(inc2, "#ops-eu")))
          .as("an intent is not a posted message")
          .isEmpty();
      assertThat(await(messages.forIncident(inc2))).isEmpty();
      assertThat(await(messages.beginPost(inc2, "#ops-eu", false, T.plusSeconds(60))))
          .as("a retry")
          .contains(T);
      assertThat(await(messages.channelId("#ops-eu")))
          .as("from incident 1's message")
          .contains("C1");
      assertThat(await(messages.channelId("#ops-us"))).isEmpty();
      await(
          messages.put(
              new SlackMessage(inc2, "#ops-eu", "C1", "1700000000.000300", false),
              T.plusSeconds(61)));
      assertThat(await(messages.get(inc2, "#ops-eu")))
          .contains(new SlackMessage(inc2, "#ops-eu", "C1", "1700000000.000300", false));
      await(db.close());
    } finally {
      if (admin != null) {
        await(admin.query("DROP DATABASE IF EXISTS " + database).execute());
        await(admin.close());
      }
      await(vertx.close());
    }
  }
}
