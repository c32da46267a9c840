package dev.vigil.escalation;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IngestResult;
import dev.vigil.notify.LogNotifier;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.oncall.TeamId;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Escalation on the documented teams.yaml (default policy: active 5m, next 10m, team:us; repeat 1)
 * with a real SQLite file and a fake clock. At 06:00Z on Monday 2026-11-30 eu is on call and india
 * comes next at 13:00.
 */
class EscalatorTest {
  static final Instant MONDAY_0600 = Instant.parse("2026-11-30T06:00:00Z");

  @TempDir Path dir;
  EscalationFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void levelsFireInOrderAtTheirTimeouts() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    assertThat(f.pages(id)).containsExactly("eu@1");
    assertThat(f.scheduler.pending()).containsExactly(Instant.parse("2026-11-30T06:05:00Z"));

    f.scheduler.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(f.pages(id)).containsExactly("eu@1");
    f.scheduler.advance(Duration.ofMillis(1));
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2");
    f.scheduler.advance(Duration.ofMinutes(10));
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2", "us@3");
    f.scheduler.advance(Duration.ofMinutes(5)); // repeat: 1 pages the last level once more
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2", "us@3", "us@3");
    f.scheduler.advance(Duration.ofHours(2));
    assertThat(f.pages(id)).hasSize(4);
    assertThat(f.scheduler.pending()).isEmpty();
    assertThat(await(f.escalator.state(id)).orElseThrow().status())
        .isEqualTo(EscalationState.Status.EXHAUSTED);

    assertThat(f.escalationLines(id))
        .containsExactly(
            "2026-11-30T06:00:00Z escalated: level 1: paging team eu (notify active, via slack); next level in 5m unless acknowledged",
            "2026-11-30T06:05:00Z ack-timeout: level 1 was not acknowledged within 5m",
            "2026-11-30T06:05:00Z escalated: level 2: paging team india (notify next, via slack); next level in 10m unless acknowledged",
            "2026-11-30T06:15:00Z ack-timeout: level 2 was not acknowledged within 10m",
            "2026-11-30T06:15:00Z escalated: level 3: paging team us (notify team:us, via slack); next level in 5m unless acknowledged",
            "2026-11-30T06:20:00Z ack-timeout: level 3 was not acknowledged within 5m",
            "2026-11-30T06:20:00Z escalated: level 3 (repeat 1): paging team us (notify team:us, via slack); this is the last level");
  }

  @Test
  void anArmedEscalationFollowsReloadedRulesAtItsNextStep() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    assertThat(f.pages(id)).containsExactly("eu@1"); // level 2 due at 06:05, as stored

    // a reload: level 2 of the default policy now pages ph, after 20m
    f.live.set(
        EscalationFixture.parseTeams(
            dir,
            EscalationFixture.goodTeams()
                .replace(
                    "- { notify: next,   ackTimeout: 10m }",
                    "- { notify: \"team:ph\", ackTimeout: 20m }")));
    f.scheduler.advance(Duration.ofMinutes(5));
    assertThat(f.pages(id)).containsExactly("eu@1", "ph@2");
    assertThat(await(f.escalator.state(id)).orElseThrow().dueAt())
        .isEqualTo(Instant.parse("2026-11-30T06:25:00Z"));
    assertThat(f.scheduler.pending())
        .as("20m ahead: a sweep arms it half a horizon before")
        .containsExactly(Instant.parse("2026-11-30T06:20:00Z"));

    // another: the default policy is gone, so the next timer stops the escalation instead of paging
    f.live.set(
        EscalationFixture.parseTeams(
            dir,
            EscalationFixture.goodTeams()
                .replace("    default:\n", "    other:\n")
                .replace("critical: default, error: default", "critical: other, error: other")));
    f.scheduler.advance(Duration.ofMinutes(20));
    assertThat(f.pages(id)).containsExactly("eu@1", "ph@2");
    assertThat(f.escalationLines(id))
        .last()
        .isEqualTo(
            "2026-11-30T06:25:00Z escalation-stopped: policy default is no longer in teams.yaml; escalation stopped");
  }

  @Test
  void anEscalationDecisionLostInACrashIsMadeByTheNextSweepOnce() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    // committed, then the process died before escalating: nobody was paged
    Map<String, String> labels = Map.of("alertname", "Lost", "severity", "critical");
    IngestResult r =
        await(
            f.incidents.ingest(
                List.of(
                    List.of(
                        new AlertIntake(
                            new Alert(
                                Fingerprint.of(labels),
                                labels,
                                Map.of(),
                                AlertStatus.FIRING,
                                MONDAY_0600,
                                null,
                                ""),
                            "{}:Lost",
                            labels,
                            false))),
                f.classifier,
                MONDAY_0600));
    IncidentId id = r.incidentsPerRequest().get(0).get(0);
    IncidentId info = f.fire("JustInfo", "info"); // decided: "recorded only"
    assertThat(f.pages(id)).isEmpty();

    assertThat(await(f.escalator.decideLost(MONDAY_0600)))
        .as("opened before the cut-off only")
        .isZero();
    assertThat(await(f.escalator.decideLost(MONDAY_0600.plusSeconds(30)))).isEqualTo(1);
    assertThat(f.pages(id)).containsExactly("eu@1");
    assertThat(f.pages(info)).isEmpty();
    assertThat(await(f.escalator.decideLost(MONDAY_0600.plusSeconds(60))))
        .as("decided now")
        .isZero();
  }

  @Test
  void withoutEscalationPoliciesTheLostDecisionSweepFindsNothingToDecide() {
    // no teams.yaml: incidents are only recorded, so every one of the lookback has no decision;
    // reading them all again at every sweep would decide nothing
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    f.live.set(
        new TeamsFile(
            f.teams.schedule(), false, new EscalationRules(Map.of(), Map.of(), 0, Set.of())));
    IncidentId id = f.fire("HostDown", "critical");
    assertThat(await(f.escalator.decideLost(MONDAY_0600.plusSeconds(30)))).isZero();
    assertThat(f.pages(id)).isEmpty();
  }

  @Test
  void acknowledgingStopsTheLadder() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    f.scheduler.advance(Duration.ofMinutes(2));
    var acked = await(f.incidents.acknowledge(id, "api:alice", "on it", f.clock.instant()));
    await(
        f.escalator.onEvents(
            List.of(new IncidentEvent.Acknowledged(acked, acked.acknowledgedBy()))));
    f.scheduler.advance(Duration.ofHours(1));
    assertThat(f.pages(id)).containsExactly("eu@1");
    assertThat(await(f.escalator.state(id)).orElseThrow().status())
        .isEqualTo(EscalationState.Status.STOPPED);
    assertThat(f.escalationLines(id))
        .last()
        .isEqualTo(
            "2026-11-30T06:02:00Z escalation-stopped: escalation stopped: the incident was acknowledged");
  }

  @Test
  void anAckTheEscalatorWasNotToldAboutStillStopsTheTimer() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    await(f.incidents.acknowledge(id, "api:alice", "", f.clock.instant()));
    f.scheduler.advance(Duration.ofMinutes(30));
    assertThat(f.pages(id)).containsExactly("eu@1");
    assertThat(await(f.escalator.state(id)).orElseThrow().status())
        .isEqualTo(EscalationState.Status.STOPPED);
  }

  @Test
  void resolvingStopsTheLadder() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    var resolved = await(f.incidents.resolve(id, "api:bob", "fixed", f.clock.instant()));
    await(
        f.escalator.onEvents(List.of(new IncidentEvent.Resolved(resolved, resolved.resolvedBy()))));
    assertThat(f.scheduler.pending()).isEmpty();
    f.scheduler.advance(Duration.ofHours(1));
    assertThat(f.pages(id)).containsExactly("eu@1");
  }

  @Test
  void aLevelWithNobodyToPageIsSkippedWithoutWaiting() {
    // eu has no channel; nobody covers 13:00–21:00 and there is no fallback, so "next" at 06:00 is
    // us at 21:00
    String teams =
        """
        teams:
          - id: us
            coverage: [{ from: "21:00", to: "05:00" }]
            slack: { channel: "#ops-us" }
          - id: eu
            coverage: [{ from: "05:00", to: "13:00" }]
        escalation:
          policies:
            default:
              - { notify: active, ackTimeout: 5m }
              - { notify: "team:eu", ackTimeout: 5m }
              - { notify: next, ackTimeout: 10m }
        """;
    f = new EscalationFixture(dir, MONDAY_0600, teams);
    IncidentId id = f.fire("HostDown", "critical");
    assertThat(f.pages(id)).containsExactly("us@3");
    assertThat(f.escalationLines(id))
        .containsExactly(
            "2026-11-30T06:00:00Z escalation-skipped: level 1 (notify active) skipped team eu: it has no Slack channel or PagerDuty routing key configured",
            "2026-11-30T06:00:00Z escalation-skipped: level 2 (notify team:eu) skipped team eu: it has no Slack channel or PagerDuty routing key configured",
            "2026-11-30T06:00:00Z escalated: level 3: paging team us (notify next, via slack); this is the last level");

    // at 14:00 nobody is on call at all: level 1 is skipped as empty
    f.clock.set(Instant.parse("2026-11-30T14:00:00Z"));
    IncidentId other = f.fire("DiskFull", "critical");
    assertThat(f.escalationLines(other))
        .first()
        .isEqualTo(
            "2026-11-30T14:00:00Z escalation-skipped: level 1 (notify active) skipped: nobody is on call");
    assertThat(f.pages(other)).containsExactly("us@3");
  }

  @Test
  void aRestartInTheMiddleResumesTheLadder() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    f.scheduler.advance(Duration.ofMinutes(5)); // level 2, next due 06:15
    f.restart();
    assertThat(f.scheduler.pending()).containsExactly(Instant.parse("2026-11-30T06:15:00Z"));
    f.scheduler.advance(Duration.ofMinutes(10));
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2", "us@3");
  }

  @Test
  void aTimerThatFellDueWhileDownFiresOnStart() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    f.close();
    f.clock.set(
        Instant.parse("2026-11-30T07:00:00Z")); // down for an hour; level 2 was due at 06:05
    f.open();
    assertThat(f.scheduler.pending()).containsExactly(Instant.parse("2026-11-30T06:05:00Z"));
    f.scheduler.runDue();
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2");
    assertThat(f.escalationLines(id))
        .contains(
            "2026-11-30T07:00:00Z escalated: level 2: paging team india (notify next, via slack); next level in 10m unless acknowledged");
    assertThat(f.scheduler.pending()).containsExactly(Instant.parse("2026-11-30T07:10:00Z"));
  }

  @Test
  void escalatingByHandPagesTheNextLevelNow() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    f.clock.advance(Duration.ofMinutes(1));
    EscalationState s = await(f.escalator.escalateNow(id, "api:carol"));
    assertThat(s.step()).isEqualTo(1);
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2");
    assertThat(f.scheduler.pending()).containsExactly(Instant.parse("2026-11-30T06:11:00Z"));
    await(f.escalator.escalateNow(id, "api:carol"));
    await(f.escalator.escalateNow(id, "api:carol"));
    assertThat(f.pages(id)).containsExactly("eu@1", "india@2", "us@3", "us@3");
    assertThatThrownBy(() -> await(f.escalator.escalateNow(id, "api:carol")))
        .isInstanceOf(EscalationException.class)
        .hasMessageContaining("there is no level left");
    f.scheduler.advance(Duration.ofHours(1));
    assertThat(f.pages(id)).hasSize(4);
  }

  @Test
  void severitiesFollowBySeverity() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId info = f.fire("Info", "info");
    assertThat(f.pages(info)).isEmpty();
    assertThat(f.escalationLines(info))
        .containsExactly(
            "2026-11-30T06:00:00Z not-paged: severity info is recorded only (escalation.bySeverity): nobody is paged");
    IncidentId warning = f.fire("Slow", "warning");
    assertThat(f.pages(warning)).containsExactly("eu@1");
    assertThat(await(f.escalator.state(warning)).orElseThrow().policy()).isEqualTo("low");
    assertThat(await(f.escalator.state(warning)).orElseThrow().dueAt())
        .isEqualTo(Instant.parse("2026-11-30T06:30:00Z"));
    IncidentId watchdog = f.fire("Watchdog", "none"); // drop: true in classification.yaml
    assertThat(f.pages(watchdog)).isEmpty();
  }

  @Test
  void aRunbookHoldsEscalationUnlessTheSeverityPagesAnyway() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    f.runbooks = incident -> true;
    IncidentId error = f.fire("Slow", "error");
    assertThat(f.pages(error)).isEmpty();
    IncidentId critical = f.fire("HostDown", "critical"); // pageDuringRunbook: [critical]
    assertThat(f.pages(critical)).containsExactly("eu@1");
    await(f.escalator.runbookFailed(error));
    assertThat(f.pages(error)).containsExactly("eu@1");
  }

  @Test
  void theLogNotifierDeliversAndWritesTeamAndLevelToTheTimeline() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    IncidentId id = f.fire("HostDown", "critical");
    LogNotifier notifier = new LogNotifier(f.outbox, f.clock);
    assertThat(await(notifier.drain())).isEqualTo(1);
    assertThat(await(notifier.drain())).isZero();
    assertThat(await(f.outbox.forIncident(id)))
        .extracting(OutboxEntry::status)
        .containsExactly(OutboxEntry.Status.DELIVERED);
    assertThat(f.timeline(id))
        .filteredOn(e -> e.kind().equals("notified"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.text())
                    .isEqualTo(
                        "paged team eu (level 1) via the log; slack not configured (no PagerDuty routing key or Slack bot token), so nobody was messaged"));
  }

  @Test
  void anOverridePagesTheOverridingTeam() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    await(
        f.overrides.add(
            new TeamId("ph"),
            MONDAY_0600.minusSeconds(60),
            MONDAY_0600.plusSeconds(3600),
            "api:lead",
            "eu offsite"));
    IncidentId id = f.fire("HostDown", "critical");
    assertThat(f.pages(id)).containsExactly("ph@1");
    assertThat(await(f.incidents.get(id)).orElseThrow().team()).isEqualTo("ph");
  }

  @Test
  void theIncidentsOfOneCommitStartEscalatingInOneTransaction() {
    f = new EscalationFixture(dir, MONDAY_0600, EscalationFixture.goodTeams());
    List<Integer> commits = new ArrayList<>();
    EscalationStore counting =
        new EscalationStore() {
          @Override
          public Future<Optional<EscalationState>> get(IncidentId incident) {
            return f.escalations.get(incident);
          }

          @Override
          public Future<List<EscalationState>> armed() {
            return f.escalations.armed();
          }

          @Override
          public Future<List<EscalationState>> armedUntil(Instant until) {
            return f.escalations.armedUntil(until);
          }

          @Override
          public Future<Optional<Instant>> firstDueAfter(Instant after) {
            return f.escalations.firstDueAfter(after);
          }

          @Override
          public Future<Set<IncidentId>> snoozedAmong(Collection<IncidentId> incidents) {
            return f.escalations.snoozedAmong(incidents);
          }

          @Override
          public Future<Set<IncidentId>> snoozed() {
            return f.escalations.snoozed();
          }

          @Override
          public Future<List<IncidentId>> undecided(Instant since, Instant before) {
            return f.escalations.undecided(since, before);
          }

          @Override
          public Future<List<Boolean>> commitAll(List<Transition> transitions, Instant now) {
            commits.add(transitions.size());
            return f.escalations.commitAll(transitions, now);
          }
        };
    Escalator escalator =
        new Escalator(
            counting,
            f.incidents,
            f.teams,
            List::of,
            RunbookGate.NONE,
            f.scheduler,
            f.clock,
            intents -> {});
    List<AlertIntake> batch = new ArrayList<>();
    for (String name : List.of("A", "B", "C", "Info")) {
      Map<String, String> labels =
          Map.of("alertname", name, "severity", name.equals("Info") ? "info" : "critical");
      batch.add(
          new AlertIntake(
              new Alert(
                  Fingerprint.of(labels),
                  labels,
                  Map.of(),
                  AlertStatus.FIRING,
                  MONDAY_0600,
                  null,
                  ""),
              "{}:" + name,
              labels,
              false));
    }
    var result = await(f.incidents.ingest(List.of(batch), f.classifier, MONDAY_0600));
    await(escalator.onEvents(result.events()));
    assertThat(commits)
        .containsExactly(4); // three pages and one "recorded only" note, one transaction
    for (IncidentId id : result.incidentsPerRequest().get(0).subList(0, 3)) {
      assertThat(f.pages(id)).containsExactly("eu@1");
    }
    escalator.stop();
  }
}
