package dev.vigil.escalation;

import static dev.vigil.timer.FakeScheduler.await;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.classify.Classification;
import dev.vigil.classify.ClassificationReader;
import dev.vigil.classify.Classifier;
import dev.vigil.config.Interpolator;
import dev.vigil.config.Problems;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.config.Yaml;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.store.Database;
import dev.vigil.store.SqlEscalationStore;
import dev.vigil.store.SqlIncidentStore;
import dev.vigil.store.SqlOutbox;
import dev.vigil.store.SqlOverrideStore;
import dev.vigil.timer.FakeClock;
import dev.vigil.timer.FakeScheduler;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One "daemon" for escalation tests: a real SQLite file, the stores, a classifier and an escalator
 * on a fake clock and scheduler. {@link #restart()} closes everything but the file and the clock
 * and builds it again, as a process restart would.
 */
final class EscalationFixture implements AutoCloseable {
  final String storeUrl;
  final FakeClock clock;
  final TeamsFile teams;

  /**
   * The teams the escalator reads at each step (starts as {@link #teams}; a test sets it to act as
   * a reload).
   */
  final AtomicReference<TeamsFile> live = new AtomicReference<>();

  Vertx vertx;
  Database db;
  SqlIncidentStore incidents;
  SqlEscalationStore escalations;
  SqlOutbox outbox;
  Overrides overrides;
  FakeScheduler scheduler;
  Escalator escalator;
  Classifier classifier;
  RunbookGate runbooks = RunbookGate.NONE;
  IncidentId incidentId;

  EscalationFixture(Path dir, Instant start, String teamsYaml) {
    this(dir, start, teamsYaml, "sqlite:" + dir.resolve("vigil.db"));
  }

  /**
   * @param storeUrl {@code sqlite:PATH} or {@code postgresql://...}
   */
  EscalationFixture(Path dir, Instant start, String teamsYaml, String storeUrl) {
    this.storeUrl = storeUrl;
    this.clock = new FakeClock(start);
    this.teams = parseTeams(dir, teamsYaml);
    this.live.set(teams);
    open();
  }

  static TeamsFile parseTeams(Path dir, String teamsYaml) {
    Problems problems = new Problems();
    TeamsFile t =
        TeamsReader.parse(
            Yaml.parse(
                    teamsYaml.getBytes(StandardCharsets.UTF_8),
                    "teams.yaml",
                    problems,
                    Interpolator.of(Map.of(), dir))
                .orElseThrow());
    if (problems.hasErrors()) {
      throw new IllegalArgumentException(problems.sorted().toString());
    }
    return t;
  }

  static String goodTeams() {
    try {
      return Files.readString(ConfigFixtures.path("good/teams.yaml"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  void open() {
    vertx = Vertx.vertx();
    db =
        await(
            Database.open(
                vertx,
                new VigilConfig.Store(storeUrl, new Secret(""), "FULL", Duration.ofSeconds(5), 4)));
    incidents = new SqlIncidentStore(db);
    escalations = new SqlEscalationStore(db);
    outbox = new SqlOutbox(db);
    overrides = new Overrides(new SqlOverrideStore(db), clock);
    await(overrides.refresh());
    scheduler = new FakeScheduler(clock);
    Problems problems = new Problems();
    Path c = ConfigFixtures.path("good/classification.yaml");
    Classification classification =
        ClassificationReader.read(c, "classification.yaml", ConfigFixtures.noEnv(c), problems)
            .orElseThrow();
    classifier =
        new Classifier(classification, new Resolver(teams.schedule(), clock), overrides::snapshot);
    escalator =
        new Escalator(
            escalations,
            incidents,
            live::get,
            overrides::snapshot,
            i -> runbooks.willHandle(i),
            scheduler,
            clock,
            intents -> {});
    await(escalator.start());
  }

  void restart() {
    close();
    open();
  }

  /** Posts one firing alert as Alertmanager would and lets escalation react to the commit. */
  IncidentId fire(String alertname, String severity) {
    return fire(alertname, severity, "host-1");
  }

  /**
   * As {@link #fire(String, String)}, on another instance: a second alert joins the open incident
   * of the group.
   */
  IncidentId fire(String alertname, String severity, String instance) {
    Map<String, String> labels =
        Map.of("alertname", alertname, "severity", severity, "instance", instance);
    Alert a =
        new Alert(
            Fingerprint.of(labels),
            labels,
            Map.of(),
            AlertStatus.FIRING,
            clock.instant(),
            null,
            "");
    IngestResult r =
        await(
            incidents.ingest(
                List.of(List.of(new AlertIntake(a, "{}:" + alertname, labels, false))),
                classifier,
                clock.instant()));
    await(escalator.onEvents(r.events()));
    return r.incidentsPerRequest().get(0).get(0);
  }

  /** The pages in the outbox for an incident, as "team@level". */
  List<String> pages(IncidentId id) {
    return await(outbox.forIncident(id)).stream()
        .map(OutboxEntry::intent)
        .map(i -> i.team() + "@" + i.level())
        .toList();
  }

  List<TimelineEvent> timeline(IncidentId id) {
    return await(incidents.timeline(id));
  }

  List<String> escalationLines(IncidentId id) {
    return timeline(id).stream()
        .filter(
            e ->
                e.kind().startsWith("escalat")
                    || e.kind().equals("ack-timeout")
                    || e.kind().equals("not-paged"))
        .map(e -> e.at() + " " + e.kind() + ": " + e.text())
        .toList();
  }

  @Override
  public void close() {
    escalator.stop();
    await(db.close());
    await(vertx.close());
  }
}
