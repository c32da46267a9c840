package dev.vigil.notify.pagerduty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.FakeSlack;
import dev.vigil.fake.NotifyConfig;
import dev.vigil.timer.FakeClock;
import dev.vigil.timer.FakeScheduler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PagerDuty v3 webhooks into a real daemon (this JVM, real SQLite, port 0), signed here as
 * PagerDuty signs them, with the fake PagerDuty taking Vigil's own events: what an on-call
 * engineer's acknowledgement on the PagerDuty app does to Vigil.
 */
class PagerDutyWebhookTest {
  static final String SECRET = "pd-webhook-secret-current";
  static final String OLD_SECRET = "pd-webhook-secret-previous";
  static final String API_TOKEN = "api-token-for-tests";
  static final String TOKEN = "xoxb-test-token";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Duration ACK_TIMEOUT = Duration.ofMinutes(10);
  static final Map<String, String> ENV =
      Map.of("PD_WEBHOOK_SECRET", SECRET, "PD_WEBHOOK_SECRET_OLD", OLD_SECRET);

  @TempDir Path dir;

  final FakeClock clock = new FakeClock(Instant.parse("2026-11-29T06:00:00Z"));
  final FakePagerDuty pd = new FakePagerDuty();
  final List<AutoCloseable> open = new ArrayList<>();
  TestDaemon d;

  @AfterEach
  void close() throws Exception {
    if (d != null) {
      d.close();
    }
    for (AutoCloseable c : open) {
      c.close();
    }
    pd.close();
  }

  /**
   * A daemon whose team eu is paged through the fake PagerDuty (and Slack when given): level 1,
   * then after {@link #ACK_TIMEOUT} unacknowledged, level 2 (eu again).
   */
  TestDaemon start(FakeSlack slack, boolean secrets) throws Exception {
    String vigil =
        "pagerduty:\n  eventsUrl: \""
            + pd.url()
            + "\"\n"
            + (secrets
                ? "  webhookSecrets: [\"${env:PD_WEBHOOK_SECRET}\", \"${env:PD_WEBHOOK_SECRET_OLD}\"]\n"
                : "")
            + "auth: {apiTokens: [\""
            + API_TOKEN
            + "\"]}\n"
            + (slack == null
                ? ""
                : "slack: {botToken: \""
                    + TOKEN
                    + "\", apiUrl: \""
                    + slack.apiUrl()
                    + "\", opsChannel: \"#vigil-ops\"}\n");
    String team =
        NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY)
            + (slack == null ? "" : "\n" + NotifyConfig.slack("#ops-eu"));
    NotifyConfig.write(dir, team, vigil);
    Path teams = dir.resolve("config/teams.yaml");
    Files.writeString(
        teams,
        Files.readString(teams)
            .replace(
                "- { notify: active, ackTimeout: 1h }",
                "- { notify: active, ackTimeout: 10m }\n      - { notify: \"team:eu\" }"));
    return TestDaemon.start(dir, vigil, ENV, clock);
  }

  /** Stops the daemon and starts it again on the same store, with the clock where it is now. */
  void restart(FakeSlack slack) throws Exception {
    d.close();
    d = null;
    d = start(slack, true);
  }

  /** A critical incident paged (level 1) through PagerDuty: its id. */
  String paged(String alertname) {
    var r = d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook(alertname));
    assertThat(r.statusCode()).isEqualTo(202);
    String id = new JsonObject(r.body()).getJsonArray("incidents").getString(0);
    await().atMost(WAIT).until(() -> pd.accepted(id, "trigger") == 1);
    return id;
  }

  static String event(String eventId, String type, String incidentKey, String pagerDutyId) {
    return event(eventId, type, incidentKey, pagerDutyId, "2026-11-29T06:01:00.000Z");
  }

  static String event(
      String eventId, String type, String incidentKey, String pagerDutyId, String occurredAt) {
    return new JsonObject()
        .put(
            "event",
            new JsonObject()
                .put("id", eventId)
                .put("event_type", type)
                .put("resource_type", "incident")
                .put("occurred_at", occurredAt)
                .put(
                    "agent",
                    new JsonObject()
                        .put("id", "PLH1HKV")
                        .put("summary", "Tenex Engineer")
                        .put("type", "user_reference"))
                .put("client", new JsonObject().put("name", "PagerDuty"))
                .put(
                    "data",
                    new JsonObject()
                        .put("id", pagerDutyId)
                        .put("type", "incident")
                        .put("number", 2)
                        .put("incident_key", incidentKey)
                        .put("title", "checkout is down")
                        .put(
                            "assignees",
                            new JsonArray().add(new JsonObject().put("summary", "Jane Doe")))
                        .put("html_url", "https://acme.pagerduty.com/incidents/" + pagerDutyId)))
        .encode();
  }

  static String note(String eventId, String pagerDutyId, String content) {
    return new JsonObject()
        .put(
            "event",
            new JsonObject()
                .put("id", eventId)
                .put("event_type", "incident.annotated")
                .put("agent", new JsonObject().put("summary", "Tenex Engineer"))
                .put(
                    "data",
                    new JsonObject()
                        .put("id", "PNOTE1")
                        .put("type", "incident_note")
                        .put("content", content)
                        .put(
                            "incident",
                            new JsonObject()
                                .put("id", pagerDutyId)
                                .put("type", "incident_reference"))))
        .encode();
  }

  /**
   * Posts {@code body} as PagerDuty delivers it, signed with each of {@code secrets} (none: no
   * signature header).
   */
  HttpResponse<String> deliver(String body, String... secrets) {
    List<String> values = new ArrayList<>();
    for (String s : secrets) {
      values.add(Webhooks.sign(s, body.getBytes(StandardCharsets.UTF_8)));
    }
    return values.isEmpty()
        ? d.post(WebhookApi.PATH, body)
        : d.post(WebhookApi.PATH, body, Webhooks.SIGNATURE, String.join(",", values));
  }

  JsonObject incident(String id) {
    var r = d.get("/api/v1/incidents/" + id, "Authorization", "Bearer " + API_TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  List<JsonObject> lines(String id, String kind) {
    return incident(id).getJsonArray("timeline").stream()
        .map(o -> (JsonObject) o)
        .filter(o -> o.getString("kind").equals(kind))
        .toList();
  }

  String metrics() {
    return d.get("/metrics").body();
  }

  static String outcome(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getString("outcome");
  }

  @Test
  void aGoodSignatureAcknowledgesAsTheAgentUpdatesSlackAndSendsNothingBackToPagerDuty()
      throws Exception {
    FakeSlack slack = new FakeSlack(TOKEN);
    open.add(slack);
    d = start(slack, true);
    String id = paged("CheckoutDown");
    await().atMost(WAIT).until(() -> slack.messages("#ops-eu").size() == 1);
    // the page's outcome is stored (an update waits for its incident's pages to leave the outbox)
    await().atMost(WAIT).until(() -> !lines(id, "notified").isEmpty());

    // no Bearer token: the route is authenticated by its signature although auth.apiTokens is set
    assertThat(outcome(deliver(event("ev-ack-1", "incident.acknowledged", id, "PGR0VU2"), SECRET)))
        .isEqualTo("applied");

    JsonObject inc = incident(id);
    assertThat(inc.getString("status")).isEqualTo("acknowledged");
    assertThat(inc.getString("acknowledgedBy")).isEqualTo("pagerduty:Tenex Engineer");
    assertThat(lines(id, "acknowledged"))
        .singleElement()
        .satisfies(
            l -> assertThat(l.getString("text")).isEqualTo("acknowledged: in PagerDuty (#2)"));
    await()
        .atMost(WAIT)
        .until(() -> slack.messages("#ops-eu").get(0).blocks().contains("acknowledged"));
    assertThat(slack.messages("#ops-eu").get(0).blocks()).contains("pagerduty:Tenex Engineer");
    FakeScheduler.await(d.daemon.integrations().drain());
    assertThat(pd.accepted(id, "acknowledge"))
        .as("an acknowledgement made in PagerDuty is not sent back")
        .isZero();
    assertThat(metrics())
        .contains(
            "vigil_pagerduty_webhooks_total{outcome=\"applied\",type=\"incident.acknowledged\"} 1.0");

    // a change made in Vigil still goes to PagerDuty
    assertThat(
            d.post(
                    "/api/v1/incidents/" + id + "/resolve",
                    "{\"by\": \"alice\"}",
                    "Authorization",
                    "Bearer " + API_TOKEN)
                .statusCode())
        .isEqualTo(200);
    await().atMost(WAIT).until(() -> pd.accepted(id, "resolve") == 1);
    // PagerDuty's webhook for the resolution Vigil sent comes back: nothing to do, and not an error
    assertThat(outcome(deliver(event("ev-res-1", "incident.resolved", id, "PGR0VU2"), SECRET)))
        .isEqualTo("no_change");
    assertThat(incident(id).getString("resolvedBy")).isEqualTo("alice");
  }

  @Test
  void aDeliverySignedWithTheOtherSecretOfARotationIsAccepted() throws Exception {
    d = start(null, true);
    String id = paged("Rotation");
    // during a rotation PagerDuty signs with the new secret (unknown here yet) and the old one
    var r =
        d.post(
            WebhookApi.PATH,
            event("ev-rot-1", "incident.resolved", id, "PROT1"),
            Webhooks.SIGNATURE,
            Webhooks.sign(
                    "pd-webhook-secret-next",
                    event("ev-rot-1", "incident.resolved", id, "PROT1")
                        .getBytes(StandardCharsets.UTF_8))
                + ", "
                + Webhooks.sign(
                    OLD_SECRET,
                    event("ev-rot-1", "incident.resolved", id, "PROT1")
                        .getBytes(StandardCharsets.UTF_8)));
    assertThat(outcome(r)).isEqualTo("applied");
    JsonObject inc = incident(id);
    assertThat(inc.getString("status")).isEqualTo("resolved");
    assertThat(inc.getString("resolvedBy")).isEqualTo("pagerduty:Tenex Engineer");
    FakeScheduler.await(d.daemon.integrations().drain());
    assertThat(pd.accepted(id, "resolve"))
        .as("a resolution made in PagerDuty is not sent back")
        .isZero();
  }

  @Test
  void aWrongSignatureIs401WithoutDetailChangesNothingAndIsCounted() throws Exception {
    d = start(null, true);
    String id = paged("Forged");
    String body = event("ev-forged", "incident.resolved", id, "PF1");
    var r = deliver(body, "a-guessed-secret");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\"}");
    // signed right, but over other bytes than those sent
    var tampered =
        d.post(
            WebhookApi.PATH,
            body.replace("ev-forged", "ev-forged-2"),
            Webhooks.SIGNATURE,
            Webhooks.sign(SECRET, body.getBytes(StandardCharsets.UTF_8)));
    assertThat(tampered.statusCode()).isEqualTo(401);
    assertThat(incident(id).getString("status")).isEqualTo("triggered");
    assertThat(metrics())
        .contains("vigil_pagerduty_webhooks_rejected_total{reason=\"bad_signature\"} 2.0");
    // the event was never seen: once signed right it applies
    assertThat(outcome(deliver(body, SECRET))).isEqualTo("applied");
  }

  @Test
  void aMissingSignatureIs401AndCounted() throws Exception {
    d = start(null, true);
    String id = paged("Unsigned");
    var r = deliver(event("ev-unsigned", "incident.acknowledged", id, "PU1"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\"}");
    // a Bearer token does not stand in for the signature
    var bearer =
        d.post(
            WebhookApi.PATH,
            event("ev-unsigned", "incident.acknowledged", id, "PU1"),
            "Authorization",
            "Bearer " + API_TOKEN);
    assertThat(bearer.statusCode()).isEqualTo(401);
    assertThat(incident(id).getString("status")).isEqualTo("triggered");
    assertThat(metrics())
        .contains("vigil_pagerduty_webhooks_rejected_total{reason=\"missing_signature\"} 2.0");
  }

  @Test
  void withNoSecretConfiguredTheRouteRefusesEverything() throws Exception {
    d = start(null, false);
    String id = paged("NoSecret");
    String body = event("ev-none", "incident.acknowledged", id, "PN1");
    for (String signature :
        List.of(
            Webhooks.sign(SECRET, body.getBytes(StandardCharsets.UTF_8)),
            "v1=" + "0".repeat(64),
            "v1=")) {
      var r = d.post(WebhookApi.PATH, body, Webhooks.SIGNATURE, signature);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\"}");
    }
    assertThat(incident(id).getString("status")).isEqualTo("triggered");
    assertThat(metrics())
        .contains("vigil_pagerduty_webhooks_rejected_total{reason=\"not_configured\"} 3.0");
    assertThat(
            new JsonObject(d.get("/readyz").body())
                .getJsonObject("integrations")
                .getString("pagerduty-webhooks"))
        .isEqualTo(
            "off: no pagerduty.webhookSecrets configured, /api/v1/integrations/pagerduty refuses every request");
  }

  @Test
  void theSameEventIdIsAppliedOnceEvenAfterARestart() throws Exception {
    d = start(null, true);
    String id = paged("Replayed");
    // incident.triggered teaches PagerDuty's id of the incident; a note names the incident by that
    // id only
    assertThat(outcome(deliver(event("ev-trig", "incident.triggered", id, "PREPLAY"), SECRET)))
        .isEqualTo("ignored");
    String body = note("ev-note-1", "PREPLAY", "rolled back checkout to v41");
    assertThat(outcome(deliver(body, SECRET))).isEqualTo("applied");
    assertThat(outcome(deliver(body, SECRET))).isEqualTo("duplicate");
    restart(null);
    assertThat(outcome(deliver(body, SECRET)))
        .as("the memory is in the store")
        .isEqualTo("duplicate");
    assertThat(lines(id, "note"))
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.getString("text")).isEqualTo("rolled back checkout to v41");
              assertThat(l.getString("by")).isEqualTo("pagerduty:Tenex Engineer");
            });
    assertThat(metrics())
        .contains(
            "vigil_pagerduty_webhooks_total{outcome=\"duplicate\",type=\"incident.annotated\"} 1.0");
  }

  @Test
  void anEventWhoseApplyingDeliveryDiedIsAnswered503UntilItsClaimLapsesAndIsThenApplied()
      throws Exception {
    d = start(null, true);
    String id = paged("Claimed");
    // what a replica leaves when it dies between claiming the event and acknowledging the incident
    assertThat(
            FakeScheduler.await(
                d.daemon
                    .seenRequests()
                    .firstSighting(
                        "pagerduty:ev-dead", clock.instant().plus(WebhookReceiver.CLAIM))))
        .isTrue();
    String body = event("ev-dead", "incident.acknowledged", id, "PDEAD");
    var retried = deliver(body, SECRET);
    assertThat(retried.statusCode())
        .as("not taken for a duplicate: PagerDuty must retry")
        .isEqualTo(503);
    assertThat(retried.headers().firstValue("Retry-After")).isPresent();
    assertThat(incident(id).getString("status")).isEqualTo("triggered");

    clock.advance(WebhookReceiver.CLAIM.plusSeconds(1));
    assertThat(outcome(deliver(body, SECRET)))
        .as("the claim lapsed: this delivery applies it")
        .isEqualTo("applied");
    assertThat(incident(id).getString("status")).isEqualTo("acknowledged");
    assertThat(outcome(deliver(body, SECRET))).isEqualTo("duplicate");
    clock.advance(WebhookReceiver.CLAIM.multipliedBy(10));
    assertThat(outcome(deliver(body, SECRET)))
        .as("once applied it is remembered for days, not minutes")
        .isEqualTo("duplicate");
  }

  @Test
  void anEventOlderThanTheMemoryOfEventIdsIsNotApplied() throws Exception {
    d = start(null, true);
    String id = paged("Replay");
    String old = clock.instant().minus(WebhookReceiver.STALE_AFTER).minusSeconds(60).toString();
    assertThat(outcome(deliver(event("ev-old", "incident.acknowledged", id, "POLD", old), SECRET)))
        .isEqualTo("stale");
    assertThat(incident(id).getString("status")).isEqualTo("triggered");
  }

  @Test
  void anUnacknowledgementDeliveredAfterALaterAcknowledgementLeavesItAcknowledged()
      throws Exception {
    d = start(null, true);
    String id = paged("Reordered");
    String before = clock.instant().toString();
    clock.advance(Duration.ofSeconds(30));
    assertThat(
            outcome(
                deliver(
                    event(
                        "ev-ack-late",
                        "incident.acknowledged",
                        id,
                        "PORD",
                        clock.instant().toString()),
                    SECRET)))
        .isEqualTo("applied");
    // PagerDuty's own ack timeout happened first, but its delivery arrives second
    assertThat(
            outcome(
                deliver(
                    event("ev-unack-early", "incident.unacknowledged", id, "PORD", before),
                    SECRET)))
        .isEqualTo("no_change");
    assertThat(incident(id).getString("status")).isEqualTo("acknowledged");
  }

  @Test
  void anUnknownIncidentOrEventTypeIs2xxAndCounted() throws Exception {
    d = start(null, true);
    String id = paged("Known");
    assertThat(outcome(deliver(event("ev-u1", "incident.acknowledged", "INC-999", "PX1"), SECRET)))
        .isEqualTo("unknown_incident");
    assertThat(
            outcome(
                deliver(
                    event(
                        "ev-u2",
                        "incident.acknowledged",
                        "d3640fbd41094207a1c11e58e46b1662",
                        "PX2"),
                    SECRET)))
        .as("a key of another tool")
        .isEqualTo("unknown_incident");
    assertThat(outcome(deliver(note("ev-u3", "PNEVERSEEN", "hello"), SECRET)))
        .as("a note on an incident never linked")
        .isEqualTo("unknown_incident");
    assertThat(outcome(deliver(event("ev-u4", "incident.priority_updated", id, "PX4"), SECRET)))
        .isEqualTo("ignored");
    assertThat(outcome(deliver(event("ev-u5", "service.updated", id, "PX5"), SECRET)))
        .isEqualTo("ignored");
    assertThat(incident(id).getString("status")).isEqualTo("triggered");
    assertThat(metrics())
        .contains(
            "vigil_pagerduty_webhooks_total{outcome=\"unknown_incident\",type=\"incident.acknowledged\"} 2.0",
            "vigil_pagerduty_webhooks_total{outcome=\"unknown_incident\",type=\"incident.annotated\"} 1.0",
            "vigil_pagerduty_webhooks_total{outcome=\"ignored\",type=\"other\"} 2.0");
  }

  @Test
  void anIncidentNotPagedThroughPagerDutyIsUnknownToIt() throws Exception {
    d = start(null, true);
    String id = paged("Paged");
    // an info incident is recorded only (bySeverity info: none): Vigil never sent PagerDuty its key
    var r =
        d.post(
            "/api/v1/alerts", "[{\"labels\": {\"alertname\": \"Quiet\", \"severity\": \"info\"}}]");
    assertThat(r.statusCode()).isEqualTo(202);
    String quiet = new JsonObject(r.body()).getJsonArray("incidents").getString(0);
    assertThat(quiet).isNotEqualTo(id);
    assertThat(outcome(deliver(event("ev-q", "incident.resolved", quiet, "PQ1"), SECRET)))
        .isEqualTo("unknown_incident");
    assertThat(incident(quiet).getString("status")).isEqualTo("triggered");
  }

  @Test
  void badJsonIs400WithAClearMessage() throws Exception {
    d = start(null, true);
    var r = deliver("{\"event\": {\"id\": \"e1\", ", SECRET);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).startsWith("body: ");
    var noType = deliver("{\"event\": {\"id\": \"e1\"}}", SECRET);
    assertThat(noType.statusCode()).isEqualTo(400);
    assertThat(noType.body())
        .isEqualTo("{\"error\":\"event.event_type: expected a non-empty string, got nothing\"}");
    assertThat(metrics())
        .contains("vigil_pagerduty_webhooks_total{outcome=\"bad_request\",type=\"other\"} 2.0");
  }

  @Test
  void aBodyOverTheLimitIs413BeforeItsSignatureIsChecked() throws Exception {
    d = start(null, true);
    String big =
        "{\"event\": {\"id\": \"e\", \"event_type\": \"incident.annotated\", \"pad\": \""
            + "x".repeat((int) WebhookApi.BODY_LIMIT)
            + "\"}}";
    var r = deliver(big, SECRET);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).isEqualTo("{\"error\":\"body too large\"}");
  }

  @Test
  void reassignmentsAndEscalationsInPagerDutyAreWrittenOnTheTimeline() throws Exception {
    d = start(null, true);
    String id = paged("Reassigned");
    assertThat(outcome(deliver(event("ev-re", "incident.reassigned", id, "PRE1"), SECRET)))
        .isEqualTo("applied");
    assertThat(outcome(deliver(event("ev-es", "incident.escalated", id, "PRE1"), SECRET)))
        .isEqualTo("applied");
    assertThat(lines(id, "pagerduty"))
        .extracting(l -> l.getString("text"))
        .containsExactly(
            "reassigned in PagerDuty (#2) to Jane Doe", "escalated in PagerDuty (#2) to Jane Doe");
    assertThat(incident(id).getString("status")).isEqualTo("triggered");
  }

  @Test
  void anAcknowledgementInPagerDutyStopsThePendingEscalationLevel() throws Exception {
    d = start(null, true);
    String acked = paged("AckedInPagerDuty");
    String control = paged("NobodyAcks");
    Instant paged = Instant.parse(lines(acked, "escalated").get(0).getString("at"));
    assertThat(lines(acked, "escalated").get(0).getString("text"))
        .contains("next level in 10m unless acknowledged");

    assertThat(outcome(deliver(event("ev-stop", "incident.acknowledged", acked, "PSTOP"), SECRET)))
        .isEqualTo("applied");
    await().atMost(WAIT).until(() -> !lines(acked, "escalation-stopped").isEmpty());
    Instant stopped = Instant.parse(lines(acked, "escalation-stopped").get(0).getString("at"));
    assertThat(stopped)
        .as("stopped before the level-2 page was due")
        .isBefore(paged.plus(ACK_TIMEOUT));

    // past the stored due time, on a fresh start (which fires every ack timer that fell due
    // meanwhile)
    clock.advance(ACK_TIMEOUT.plusMinutes(1));
    restart(null);
    await().atMost(WAIT).until(() -> pd.accepted(control, "trigger") == 2);
    assertThat(lines(control, "ack-timeout")).hasSize(1);
    assertThat(lines(control, "escalated")).hasSize(2);
    // the control's timer fired; the acknowledged incident's was not re-armed and paged nobody
    FakeScheduler.await(d.daemon.integrations().drain());
    assertThat(lines(acked, "ack-timeout")).isEmpty();
    assertThat(lines(acked, "escalated")).hasSize(1);
    assertThat(pd.accepted(acked, "trigger")).isEqualTo(1);
    assertThat(pd.accepted(acked, "acknowledge")).isZero();
  }

  @Test
  void anUnacknowledgementInPagerDutyPutsTheIncidentBackToTriggeredAndEscalationResumes()
      throws Exception {
    d = start(null, true);
    String id = paged("Unacked");
    assertThat(outcome(deliver(event("ev-a", "incident.acknowledged", id, "PUN"), SECRET)))
        .isEqualTo("applied");
    await().atMost(WAIT).until(() -> !lines(id, "escalation-stopped").isEmpty());
    clock.advance(Duration.ofMinutes(3));
    assertThat(outcome(deliver(event("ev-u", "incident.unacknowledged", id, "PUN"), SECRET)))
        .isEqualTo("applied");
    JsonObject inc = incident(id);
    assertThat(inc.getString("status")).isEqualTo("triggered");
    assertThat(inc.getString("acknowledgedBy")).isNull();
    await().atMost(WAIT).until(() -> !lines(id, "escalation-resumed").isEmpty());
    JsonObject resumed = lines(id, "escalation-resumed").get(0);
    assertThat(resumed.getString("text"))
        .isEqualTo(
            "unacknowledged by pagerduty:Tenex Engineer: escalation resumes at level 1; next level in 10m unless acknowledged");
    Instant resumedAt = Instant.parse(resumed.getString("at"));

    // the resumed timer is stored: once it is due, level 2 is paged
    clock.set(resumedAt.plus(ACK_TIMEOUT).plusSeconds(1));
    restart(null);
    await().atMost(WAIT).until(() -> pd.accepted(id, "trigger") == 2);
    assertThat(lines(id, "escalated")).hasSize(2);
    assertThat(lines(id, "escalated").get(1).getString("text"))
        .startsWith("level 2: paging team eu");
  }
}
