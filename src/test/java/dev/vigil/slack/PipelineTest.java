package dev.vigil.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.Daemon;
import dev.vigil.TestDaemon;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.Source;
import dev.vigil.incident.Stage;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.incident.Triage;
import dev.vigil.slack.fake.ChatOpsSlack;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline through a real daemon: every source (ingest, the HTTP API, Slack, a heartbeat)
 * publishes through the store's commits, each declared stage sees each event once and in commit
 * order, and the stages do not read back what the events carry.
 */
class PipelineTest {
  static final String SECRET = "pipeline-signing-secret";
  static final String HOOK = "/api/v1/alerts/alertmanager";
  static final String STAGES = "telemetry|escalation|runbooks|updates|tap";

  @TempDir Path dir;
  ChatOpsSlack slack;
  TestDaemon d;

  /** A stage listed after the declared ones that keeps what it is given. */
  static final class Tap implements Stage {
    final List<IncidentEvent> seen = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String name() {
      return "tap";
    }

    @Override
    public Future<Void> accept(List<IncidentEvent> events) {
      seen.addAll(events);
      return Future.succeededFuture();
    }

    List<IncidentEvent> of(IncidentId id) {
      synchronized (seen) {
        return seen.stream().filter(e -> e.id().equals(id)).toList();
      }
    }
  }

  @AfterEach
  void stop() {
    if (d != null) {
      d.close();
    }
    if (slack != null) {
      slack.close();
    }
  }

  TestDaemon start(Daemon.Probes probes) throws Exception {
    return start(probes, true);
  }

  /**
   * With {@code withSlack} false, pages go to the log notifier (Slack's delivery renders the
   * incident as it is when sent: a read of its own).
   */
  TestDaemon start(Daemon.Probes probes, boolean withSlack) throws Exception {
    TestDaemon.copyShippedRouting(dir);
    // the shipped classification, plus a Watchdog heartbeat that goes missing a second after the
    // start
    String classification =
        Files.readString(dir.resolve("config/classification.yaml"))
                .replaceAll("(?s)heartbeats:.*?(?=\\n\\S|\\z)", "")
            + "\nheartbeats:\n  - name: watchdog\n    match: [ 'alertname = \"Watchdog\"' ]\n    missingAfter: 1s\n"
            + "    severity: critical\n    summary: \"No Watchdog: alerting is blind\"\n";
    Files.writeString(dir.resolve("config/classification.yaml"), classification);
    slack = new ChatOpsSlack("xoxb-test");
    if (!withSlack) {
      return TestDaemon.startProbed(dir, "", Map.of(), Clock.systemUTC(), probes);
    }
    return TestDaemon.startProbed(
        dir,
        """
        slack:
          botToken: xoxb-test
          signingSecret: %s
          apiUrl: %s
        chatops:
          allow:
            resolve: [ULEAD]
        """
            .formatted(SECRET, slack.apiUrl()),
        Map.of(),
        Clock.systemUTC(),
        probes);
  }

  /** Each stage's count of events handed to it, from /metrics. */
  Map<String, Double> delivered() {
    Map<String, Double> out = new TreeMap<>();
    Matcher m =
        Pattern.compile("(?m)^vigil_pipeline_events_total\\{stage=\"(" + STAGES + ")\"} (\\S+)$")
            .matcher(d.get("/metrics").body());
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  static List<String> kinds(List<IncidentEvent> events) {
    return events.stream().map(e -> e.getClass().getSimpleName()).toList();
  }

  @Test
  void everyStageSeesEveryCommittedEventOnceAndInCommitOrderWhateverItsSource() throws Exception {
    Tap tap = new Tap();
    d = start(new Daemon.Probes(List.of(tap), s -> s));
    SignedSlack s = new SignedSlack(d.url(""), SECRET, Clock.systemUTC());

    // heartbeat: no Watchdog since the start, so its incident opens
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              synchronized (tap.seen) {
                return tap.seen.stream()
                    .anyMatch(
                        e ->
                            e instanceof IncidentEvent.Opened o
                                && o.incident().type().equals("heartbeat"));
              }
            });
    IncidentId heartbeat;
    synchronized (tap.seen) {
      heartbeat =
          tap.seen.stream()
              .filter(
                  e ->
                      e instanceof IncidentEvent.Opened o
                          && o.incident().type().equals("heartbeat"))
              .findFirst()
              .orElseThrow()
              .id();
    }

    // ingest, then the HTTP API, then Slack, on one incident
    var posted = d.post(HOOK, TestDaemon.resource("webhooks/webhook-v4-1alert.json"));
    assertThat(posted.statusCode()).isEqualTo(202);
    String inc = new JsonObject(posted.body()).getJsonArray("incidents").getString(0);
    IncidentId id = IncidentId.parse(inc).orElseThrow();
    assertThat(
            d.post(
                    "/api/v1/incidents/" + inc + "/notes",
                    "{\"by\": \"alice\", \"text\": \"looking\"}")
                .statusCode())
        .isEqualTo(201);
    assertThat(
            d.post("/api/v1/incidents/" + inc + "/acknowledge", "{\"by\": \"alice\"}").statusCode())
        .isEqualTo(200);
    var resolved = s.command("ULEAD", "resolve " + inc + " fixed", slack.url("/response/r"), null);
    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);

    // the heartbeat comes back through ingest
    String watchdog =
        new JsonArray()
            .add(new JsonObject().put("labels", new JsonObject().put("alertname", "Watchdog")))
            .encode();
    assertThat(d.post("/api/v1/alerts", watchdog).statusCode()).isEqualTo(202);

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> tap.of(heartbeat).stream().anyMatch(e -> e instanceof IncidentEvent.Resolved));
    // every declared stage has been handed as many events as the tap listed after them
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              Map<String, Double> counts = delivered();
              return counts.size() == 5
                  && counts.values().stream().distinct().count() == 1
                  && counts.get("tap") == tap.seen.size();
            });

    List<IncidentEvent> mine = tap.of(id);
    assertThat(kinds(mine).stream().filter(k -> !k.equals("RunChanged") && !k.equals("Noted")))
        .containsExactly("Opened", "Acknowledged", "Resolved");
    int note =
        indexOf(mine, e -> e instanceof IncidentEvent.Noted n && n.line().text().equals("looking"));
    assertThat(note)
        .isGreaterThan(indexOf(mine, e -> e instanceof IncidentEvent.Opened))
        .isLessThan(indexOf(mine, e -> e instanceof IncidentEvent.Acknowledged));
    IncidentEvent.Opened opened = (IncidentEvent.Opened) mine.get(0);
    assertThat(opened.alerts()).hasSize(1);
    assertThat(opened.incident().status().wire()).isEqualTo("triggered");
    assertThat(
            ((IncidentEvent.Acknowledged)
                    mine.stream()
                        .filter(e -> e instanceof IncidentEvent.Acknowledged)
                        .findFirst()
                        .orElseThrow())
                .by())
        .isEqualTo("alice");
    IncidentEvent.Resolved byHand =
        (IncidentEvent.Resolved)
            mine.stream()
                .filter(e -> e instanceof IncidentEvent.Resolved)
                .findFirst()
                .orElseThrow();
    assertThat(byHand.by()).isEqualTo("slack:ULEAD");
    assertThat(byHand.incident().resolvedBy()).isEqualTo("slack:ULEAD");

    assertThat(kinds(tap.of(heartbeat))).containsExactly("Opened", "Resolved");
    // exactly once: no event object handed over twice
    synchronized (tap.seen) {
      Map<IncidentEvent, Boolean> distinct = new IdentityHashMap<>();
      tap.seen.forEach(e -> distinct.put(e, true));
      assertThat(distinct).hasSameSizeAs(tap.seen);
    }
  }

  static int indexOf(List<IncidentEvent> events, Predicate<IncidentEvent> p) {
    for (int i = 0; i < events.size(); i++) {
      if (p.test(events.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Counts the reads of each incident and of its alerts made through the store the stages share.
   */
  static final class CountingReads implements IncidentStore {
    final IncidentStore store;
    final Map<IncidentId, AtomicInteger> reads = new ConcurrentHashMap<>();

    CountingReads(IncidentStore store) {
      this.store = store;
    }

    int of(IncidentId id) {
      AtomicInteger n = reads.get(id);
      return n == null ? 0 : n.get();
    }

    @Override
    public Future<Optional<Incident>> get(IncidentId id) {
      reads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      return store.get(id);
    }

    @Override
    public Future<List<StoredAlert>> alerts(IncidentId id) {
      reads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      return store.alerts(id);
    }

    @Override
    public Future<IngestResult> ingest(
        List<List<AlertIntake>> requests, Triage triage, Instant now) {
      return store.ingest(requests, triage, now);
    }

    @Override
    public Future<List<Incident>> list(IncidentQuery query) {
      return store.list(query);
    }

    @Override
    public Future<List<TimelineEvent>> timeline(IncidentId id) {
      return store.timeline(id);
    }

    @Override
    public Future<Incident> acknowledge(IncidentId id, String by, String text, Instant now) {
      return store.acknowledge(id, by, text, now);
    }

    @Override
    public Future<Incident> resolve(IncidentId id, String by, String text, Instant now) {
      return store.resolve(id, by, text, now);
    }

    @Override
    public Future<TimelineEvent> append(IncidentId id, TimelineEvent event) {
      return store.append(id, event);
    }

    @Override
    public Future<TimelineEvent> runLine(IncidentId id, TimelineEvent event) {
      return store.runLine(id, event);
    }

    @Override
    public Future<Incident> acknowledge(
        IncidentId id, String by, String text, Instant now, Source source) {
      return store.acknowledge(id, by, text, now, source);
    }

    @Override
    public Future<Incident> resolve(
        IncidentId id, String by, String text, Instant now, Source source) {
      return store.resolve(id, by, text, now, source);
    }

    @Override
    public Future<Incident> unacknowledge(
        IncidentId id, String by, String text, Instant now, Source source) {
      return store.unacknowledge(id, by, text, now, source);
    }
  }

  @Test
  void theStagesDoNotReadBackANewIncidentOrItsAlerts() throws Exception {
    Tap tap = new Tap();
    CountingReads[] counting = new CountingReads[1];
    d =
        start(
            new Daemon.Probes(List.of(tap), store -> counting[0] = new CountingReads(store)),
            false);

    var posted = d.post(HOOK, TestDaemon.resource("webhooks/webhook-v4-10alerts.json"));
    assertThat(posted.statusCode()).isEqualTo(202);
    IncidentId id =
        IncidentId.parse(new JsonObject(posted.body()).getJsonArray("incidents").getString(0))
            .orElseThrow();
    // escalation paged it (a timeline line written by the escalator) and every stage has had the
    // opening
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> d.get("/metrics").body().contains("vigil_escalations_total{level=\"1\""));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              Map<String, Double> counts = delivered();
              return counts.size() == 5 && counts.values().stream().distinct().count() == 1;
            });
    assertThat(tap.of(id)).first().isInstanceOf(IncidentEvent.Opened.class);
    assertThat(((IncidentEvent.Opened) tap.of(id).get(0)).alerts()).hasSize(10);
    assertThat(counting[0].of(id))
        .as("reads of the incident or its alerts after its commit")
        .isZero();
  }
}
