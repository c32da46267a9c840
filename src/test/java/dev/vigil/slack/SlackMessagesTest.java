package dev.vigil.slack;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestDaemon;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.fake.FakeSlack;
import dev.vigil.incident.IncidentId;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.notify.integrations.Integrations;
import dev.vigil.oncall.Channels;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import dev.vigil.store.Database;
import dev.vigil.store.SqlIncidentStore;
import dev.vigil.store.SqlOutbox;
import dev.vigil.store.SqlSlackMessages;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.VertxScheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runbook messages, digests and the incident message's buttons, through the dispatcher to the fake
 * Slack.
 */
class SlackMessagesTest {
  static final String TOKEN = "xoxb-unit";

  @TempDir Path dir;

  @Test
  void messagesAndDigestsArePostedOnceAndTheIncidentMessageCarriesTheButtonsF6Handles()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      VigilConfig config =
          new ConfigLoader(Map.<String, String>of()::get)
              .load(
                  TestDaemon.writeConfig(
                      dir,
                      "slack: {botToken: \""
                          + TOKEN
                          + "\", apiUrl: \""
                          + slack.apiUrl()
                          + "\"}\n"));
      Database db = await(Database.open(vertx, config.store()));
      await(
          db.writer()
              .query(
                  "INSERT INTO incidents (group_key, status, severity, type, title, labels, alert_count, firing_count, "
                      + "opened_at, updated_at) VALUES ('g', 'triggered', 'critical', 'disk', 'disk full on db-1', '{\"alertname\":\"DiskFull\"}', 1, 1, 0, 0)")
              .execute());
      IncidentId inc = new IncidentId(1);
      SqlOutbox outbox = new SqlOutbox(db);
      Team eu =
          new Team(
              new TeamId("eu"),
              "EU",
              "emea",
              ZoneOffset.UTC,
              List.of(),
              new Channels("#ops-eu", new Secret("")));
      SqlIncidentStore incidents = new SqlIncidentStore(db);
      SlackDelivery delivery =
          SlackDelivery.create(
                  vertx,
                  config,
                  () -> List.of(eu),
                  new SqlSlackMessages(db),
                  incidents,
                  Clock.systemUTC(),
                  null,
                  id -> Future.succeededFuture("disk-cleanup: running"),
                  new SlackDelivery.Tuning(Duration.ofMillis(20), Duration.ofSeconds(5)))
              .orElseThrow();
      Integrations integrations =
          Integrations.create(
              vertx,
              config,
              List.of(eu),
              outbox,
              Optional.of(delivery.notifier()),
              incidents,
              new VertxScheduler(vertx, Clock.systemUTC()),
              Clock.systemUTC(),
              null,
              new Integrations.Tuning(Duration.ofMillis(20)),
              Tracing.OFF);
      Instant now = Instant.now();

      NotificationIntent message =
          NotificationIntent.message(
              "runbook:RUN-1/notify", inc, eu.id(), "", "cleaning /var/tmp on db-1");
      assertThat(await(outbox.enqueue(message, now))).isTrue();
      assertThat(await(outbox.enqueue(message, now)))
          .as("a step run again stores one message")
          .isFalse();
      JsonObject digest =
          new JsonObject()
              .put("team", "eu")
              .put("shiftStart", "2026-11-29T05:00:00Z")
              .put("shiftEnd", "2026-11-29T13:00:00Z")
              .put(
                  "open",
                  new JsonArray()
                      .add(
                          new JsonObject()
                              .put("id", "INC-1")
                              .put("severity", "critical")
                              .put("title", "disk full on db-1")))
              .put("resolved", new JsonArray())
              .put("autoResolved", new JsonArray())
              .put("pendingEscalations", new JsonArray());
      await(
          outbox.enqueue(
              new NotificationIntent(
                  "digest:eu:1",
                  NotificationIntent.Kind.DIGEST,
                  null,
                  eu.id(),
                  0,
                  List.of("slack"),
                  digest.encode()),
              now));
      await(
          outbox.enqueue(
              new NotificationIntent(
                  "page:INC-1:0:eu",
                  NotificationIntent.Kind.PAGE,
                  inc,
                  eu.id(),
                  1,
                  List.of("slack"),
                  "{}"),
              now));
      assertThat(await(integrations.drain())).isEqualTo(3);

      List<FakeSlack.Message> posted = slack.messages("#ops-eu");
      assertThat(posted)
          .extracting(FakeSlack.Message::text)
          .anySatisfy(t -> assertThat(t).isEqualTo("cleaning /var/tmp on db-1"))
          .anySatisfy(
              t ->
                  assertThat(t)
                      .startsWith("*Handoff to team eu*")
                      .contains("INC-1 critical: disk full on db-1"));
      FakeSlack.Message page =
          posted.stream()
              .filter(m -> m.text().contains("INC-1 critical triggered"))
              .findFirst()
              .orElseThrow();
      String blocks = FakeSlack.blockText(page);
      assertThat(blocks)
          .contains(IncidentMessage.ACKNOWLEDGE)
          .contains(IncidentMessage.RESOLVE)
          .contains("\"value\":\"INC-1\"")
          .contains("disk-cleanup: running")
          .contains("alertname=DiskFull");
      assertThat(await(outbox.forIncident(inc)))
          .extracting(OutboxEntry::status)
          .containsOnly(OutboxEntry.Status.DELIVERED);

      // what [F6] calls after a button: the same message, re-rendered in place
      await(
          db.writer()
              .query(
                  "UPDATE incidents SET status = 'acknowledged', acknowledged_by = 'slack:U123' WHERE id = 1")
              .execute());
      assertThat(await(delivery.messages().update(inc))).isEqualTo(1);
      assertThat(page.updates()).isEqualTo(1);
      assertThat(page.text()).contains("acknowledged");
      assertThat(FakeSlack.blockText(page))
          .doesNotContain(IncidentMessage.ACKNOWLEDGE)
          .contains(IncidentMessage.RESOLVE)
          .contains("slack:U123");
      integrations.close();
      delivery.close();
      await(db.close());
    } finally {
      await(vertx.close());
    }
  }
}
