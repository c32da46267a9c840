package dev.vigil.heartbeat;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.alert.Matcher;
import dev.vigil.classify.Heartbeat;
import dev.vigil.classify.LabelTriage;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.Severity;
import dev.vigil.store.Database;
import dev.vigil.store.SqlHeartbeatStore;
import dev.vigil.store.SqlIncidentStore;
import dev.vigil.timer.FakeClock;
import dev.vigil.timer.FakeScheduler;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatWatchTest {
  static final Instant T0 = Instant.parse("2026-11-30T06:00:00Z");
  static final Heartbeat WATCHDOG =
      new Heartbeat(
          "watchdog",
          List.of(Matcher.parse("alertname = \"Watchdog\"")),
          Duration.ofMinutes(10),
          Severity.CRITICAL,
          "No Watchdog from Alertmanager for 10m: alerting is blind");

  @TempDir Path dir;
  Vertx vertx;
  Database db;
  SqlIncidentStore incidents;
  final FakeClock clock = new FakeClock(T0);
  FakeScheduler scheduler;
  HeartbeatWatch watch;
  final List<String> changes = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    db =
        await(
            Database.open(
                vertx,
                new VigilConfig.Store(
                    "sqlite:" + dir.resolve("v.db"),
                    new Secret(""),
                    "FULL",
                    Duration.ofSeconds(5),
                    2)));
    // what the pipeline would get: the store publishes each commit's events
    incidents =
        new SqlIncidentStore(
            db, events -> events.forEach(e -> changes.add(e.getClass().getSimpleName())));
    scheduler = new FakeScheduler(clock);
    watch =
        new HeartbeatWatch(
            List.of(WATCHDOG),
            incidents,
            new SqlHeartbeatStore(db),
            new LabelTriage(),
            scheduler,
            clock);
    await(watch.start());
  }

  @AfterEach
  void close() {
    watch.stop();
    await(db.close());
    await(vertx.close());
  }

  static Alert watchdog(AlertStatus status) {
    Map<String, String> labels = Map.of("alertname", "Watchdog", "severity", "none");
    return new Alert(Fingerprint.of(labels), labels, Map.of(), status, T0, null, "");
  }

  List<Incident> open(String group) {
    return await(incidents.list(new IncidentQuery(null, null, null, 100))).stream()
        .filter(i -> i.groupKey().equals(group) && i.status().isOpen())
        .toList();
  }

  @Test
  void aMissingHeartbeatOpensAnIncidentAndItsReturnResolvesIt() {
    scheduler.advance(Duration.ofMinutes(5));
    await(watch.observe(List.of(watchdog(AlertStatus.FIRING))));
    scheduler.advance(Duration.ofMinutes(10).minusMillis(1)); // 06:14:59.999, last seen 06:05
    assertThat(open("heartbeat:watchdog")).isEmpty();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(open("heartbeat:watchdog"))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(i.type()).isEqualTo("heartbeat");
              assertThat(i.title())
                  .isEqualTo("No Watchdog from Alertmanager for 10m: alerting is blind");
              assertThat(i.openedAt()).isEqualTo(Instant.parse("2026-11-30T06:15:00Z"));
            });
    assertThat(changes).containsExactly("Opened");

    scheduler.advance(Duration.ofHours(1)); // still missing: one incident, not one per check
    assertThat(await(incidents.list(new IncidentQuery(null, null, null, 100)))).hasSize(1);

    await(watch.observe(List.of(watchdog(AlertStatus.FIRING))));
    assertThat(open("heartbeat:watchdog")).isEmpty();
    assertThat(changes).containsExactly("Opened", "Resolved");
  }

  @Test
  void aResolvedOrUnrelatedAlertIsNoHeartbeat() {
    scheduler.advance(Duration.ofMinutes(9));
    await(watch.observe(List.of(watchdog(AlertStatus.RESOLVED))));
    Map<String, String> other = Map.of("alertname", "HostDown");
    await(
        watch.observe(
            List.of(
                new Alert(
                    Fingerprint.of(other), other, Map.of(), AlertStatus.FIRING, T0, null, ""))));
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(open("heartbeat:watchdog")).hasSize(1);
  }

  @Test
  void anIncidentLeftOpenByAPreviousRunIsResolvedWhenTheHeartbeatReturns() {
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(open("heartbeat:watchdog")).hasSize(1);
    watch.stop();
    watch =
        new HeartbeatWatch(
            List.of(WATCHDOG),
            incidents,
            new SqlHeartbeatStore(db),
            new LabelTriage(),
            scheduler,
            clock);
    await(watch.start());
    await(watch.observe(List.of(watchdog(AlertStatus.FIRING))));
    assertThat(open("heartbeat:watchdog")).isEmpty();
  }

  static final Heartbeat DEADMAN =
      new Heartbeat(
          "deadman",
          List.of(Matcher.parse("alertname = \"DeadMansSwitch\"")),
          Duration.ofMinutes(3),
          Severity.ERROR,
          "No DeadMansSwitch for 3m");

  @Test
  void aHeartbeatAddedByAReloadIsWatchedAndARemovedOneIsNot() {
    scheduler.advance(Duration.ofMinutes(5));
    await(watch.observe(List.of(watchdog(AlertStatus.FIRING)))); // watchdog due again at 06:15
    await(
        watch.watch(
            List.of(DEADMAN))); // 06:05: classification.yaml now lists deadman instead of watchdog
    scheduler.advance(Duration.ofMinutes(3).minusMillis(1));
    assertThat(open("heartbeat:deadman")).isEmpty();
    scheduler.advance(Duration.ofMillis(1)); // 06:08: deadman had its 3m of grace from the reload
    assertThat(open("heartbeat:deadman"))
        .singleElement()
        .satisfies(i -> assertThat(i.severity()).isEqualTo(Severity.ERROR));

    scheduler.advance(Duration.ofHours(1));
    assertThat(open("heartbeat:watchdog")).isEmpty(); // no longer watched: its alarm was cancelled
    await(watch.observe(List.of(watchdog(AlertStatus.FIRING))));
    scheduler.advance(Duration.ofHours(1));
    assertThat(open("heartbeat:watchdog"))
        .isEmpty(); // and a Watchdog arriving does not arm it again
  }

  @Test
  void aReloadThatKeepsAHeartbeatKeepsItsAlarm() {
    scheduler.advance(Duration.ofMinutes(9));
    await(watch.watch(List.of(WATCHDOG, DEADMAN))); // watchdog unchanged: no fresh grace
    scheduler.advance(Duration.ofMinutes(1)); // 06:10, ten minutes after the start
    assertThat(open("heartbeat:watchdog")).hasSize(1);
  }

  @Test
  void replicasShareTheLastSeenTimeAndOnlyOneOfThemOpensTheIncident() {
    HeartbeatWatch other =
        new HeartbeatWatch(
            List.of(WATCHDOG),
            incidents,
            new SqlHeartbeatStore(db),
            new LabelTriage(),
            scheduler,
            clock);
    await(other.start());
    try {
      scheduler.advance(Duration.ofMinutes(5));
      await(
          watch.observe(
              List.of(
                  watchdog(
                      AlertStatus.FIRING)))); // the load balancer sent it to the first replica only
      scheduler.advance(
          Duration.ofMinutes(10)
              .minusMillis(1)); // the other's alarm rang at 06:10 and found it seen at 06:05
      assertThat(open("heartbeat:watchdog")).isEmpty();

      scheduler.advance(Duration.ofMillis(1)); // both alarms ring at 06:15
      assertThat(open("heartbeat:watchdog")).hasSize(1);
      assertThat(changes).containsExactly("Opened");

      await(
          other.observe(
              List.of(
                  watchdog(AlertStatus.FIRING)))); // back, through the replica that did not open it
      assertThat(open("heartbeat:watchdog")).isEmpty();
      assertThat(changes).containsExactly("Opened", "Resolved");
    } finally {
      other.stop();
    }
  }
}
