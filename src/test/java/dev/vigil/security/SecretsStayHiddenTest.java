package dev.vigil.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.TestDaemon;
import dev.vigil.config.LogFormat;
import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.NotifyConfig;
import dev.vigil.notify.pagerduty.WebhookApi;
import dev.vigil.notify.pagerduty.Webhooks;
import dev.vigil.slack.RequestVerifier;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets planted in every place the config takes one (tokens from {@code ${env:}} and {@code
 * ${file:}}, the Slack signing secret and bot token, a team's PagerDuty routing key), then traffic
 * that succeeds and fails in every way we could provoke: what an operator or an attacker can read
 * afterwards (the log, every HTTP answer, /metrics, /readyz, the timeline, the store's files) holds
 * none of them.
 */
class SecretsStayHiddenTest {
  static final String WEBHOOK = "webhook-tok-5f3a9c1e";
  static final String API = "api-tok-77d2b0aa";
  static final String API_FROM_FILE = "api-file-tok-c0ffee42";
  static final String SIGNING = "signing-secret-9e8d7c6b";
  static final String BOT = "xoxb-bot-secret-1a2b3c";
  static final String PD_KEY = "pdkey0123456789secretsecret00001";
  static final String PD_WEBHOOK = "pd-webhook-secret-4b3a2f1e";
  static final List<String> SECRETS =
      List.of(WEBHOOK, API, API_FROM_FILE, SIGNING, BOT, PD_KEY, PD_WEBHOOK);

  @TempDir Path dir;
  final List<String> seen = new ArrayList<>();

  @Test
  void noSecretReachesTheLogErrorsMetricsReadinessOrTheTimeline() throws Exception {
    try (LogCapture log = new LogCapture(Level.INFO);
        FakePagerDuty pd = new FakePagerDuty().failFirst(2)) {
      String vigil =
          """
          auth:
            webhookTokens: ["${env:VIGIL_WEBHOOK_TOKEN}"]
            apiTokens: ["${env:VIGIL_API_TOKEN}", "${file:api-token.txt}"]
          slack: {botToken: "${env:SLACK_BOT_TOKEN}", signingSecret: "${env:SLACK_SIGNING_SECRET}", apiUrl: "http://127.0.0.1:9/api/"}
          pagerduty: {eventsUrl: "%s", webhookSecrets: ["${env:PD_WEBHOOK_SECRET}"]}
          notify:
            retry: {maxAttempts: 3, initialDelay: 20ms, maxDelay: 50ms}
          """
              .formatted(pd.url());
      NotifyConfig.write(
          dir,
          NotifyConfig.pagerDuty("${file:pd-key.txt}") + "\n" + NotifyConfig.slack("#ops-eu"),
          vigil);
      Files.writeString(dir.resolve("config/api-token.txt"), API_FROM_FILE + "\n");
      Files.writeString(
          dir.resolve("config/pd-key.txt"),
          PD_KEY + "\n"); // teams.yaml reads the process environment, not the test's
      Map<String, String> env =
          Map.of(
              "VIGIL_WEBHOOK_TOKEN",
              WEBHOOK,
              "VIGIL_API_TOKEN",
              API,
              "SLACK_BOT_TOKEN",
              BOT,
              "SLACK_SIGNING_SECRET",
              SIGNING,
              "PD_WEBHOOK_SECRET",
              PD_WEBHOOK);
      try (TestDaemon d = TestDaemon.start(dir, vigil, env, Clock.systemUTC())) {
        String hook = NotifyConfig.criticalWebhook("CheckoutDown");
        // failures first: no token, the other scope's token, a near miss, a malformed body, a
        // forged Slack request
        expect(401, d.post("/api/v1/alerts/alertmanager", hook));
        expect(401, d.post("/api/v1/alerts/alertmanager", hook, "Authorization", "Bearer " + API));
        expect(
            401,
            d.post(
                "/api/v1/alerts/alertmanager", hook, "Authorization", "Bearer " + WEBHOOK + "x"));
        expect(401, d.get("/api/v1/incidents", "Authorization", "Bearer " + WEBHOOK));
        expect(
            400,
            d.post(
                "/api/v1/alerts/alertmanager",
                "{\"version\": \"" + WEBHOOK + "\"",
                "Authorization",
                "Bearer " + WEBHOOK));
        expect(401, slack(d, "text=list&user_id=U1", "wrong-" + SIGNING));
        expect(401, pagerDuty(d, "INC-1", "wrong-" + PD_WEBHOOK));
        // then the real thing: an alert that pages through PagerDuty (failing twice) and Slack
        // (unreachable)
        String id =
            new JsonObject(
                    expect(
                            202,
                            d.post(
                                "/api/v1/alerts/alertmanager",
                                hook,
                                "Authorization",
                                "Bearer " + WEBHOOK))
                        .body())
                .getJsonArray("incidents")
                .getString(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> pd.accepted(id, "trigger") == 1);
        expect(200, d.get("/api/v1/incidents", "Authorization", "Bearer " + API_FROM_FILE));
        expect(200, slack(d, "text=ack+" + id + "&user_id=U1", SIGNING));
        expect(
            201,
            d.post(
                "/api/v1/incidents/" + id + "/notes",
                "{\"by\": \"alice\", \"text\": \"looking\"}",
                "Authorization",
                "Bearer " + API));
        expect(
            400,
            d.post(
                "/api/v1/incidents/" + id + "/notes", "{nope", "Authorization", "Bearer " + API));
        expect(404, d.get("/api/v1/incidents/INC-999", "Authorization", "Bearer " + API));
        expect(200, d.get("/api/v1/incidents/" + id, "Authorization", "Bearer " + API));
        expect(200, pagerDuty(d, id, PD_WEBHOOK));
        expect(200, d.get("/metrics"));
        expect(200, d.get("/readyz"));
        expect(200, d.post("/-/reload", "", "Authorization", "Bearer " + API));

        assertThat(String.join("\n", seen))
            .as("a readiness answer names the integrations")
            .contains("pagerduty");
        assertThat(log.text()).as("something was logged").contains("slack");
        for (String secret : SECRETS) {
          assertThat(log.text()).as("the log").doesNotContain(secret);
          assertThat(log.encoded(LogFormat.TEXT)).as("the log as text").doesNotContain(secret);
          assertThat(log.encoded(LogFormat.JSON)).as("the log as JSON").doesNotContain(secret);
          assertThat(seen).as("HTTP answers").noneMatch(s -> s.contains(secret));
        }
      }
      // the store's files (SQLite and its journal; with PostgreSQL there are none here) hold no
      // secret either
      try (var files = Files.walk(dir)) {
        for (Path f :
            files
                .filter(Files::isRegularFile)
                .filter(f -> !f.startsWith(dir.resolve("config")))
                .toList()) {
          String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
          SECRETS.forEach(secret -> assertThat(bytes).as(f.toString()).doesNotContain(secret));
        }
      }
    }
  }

  HttpResponse<String> expect(int status, HttpResponse<String> r) {
    seen.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
    assertThat(r.statusCode()).as(r.uri() + ": " + r.body()).isEqualTo(status);
    return r;
  }

  /** A PagerDuty v3 webhook delivery resolving {@code incident}, signed with {@code secret}. */
  static HttpResponse<String> pagerDuty(TestDaemon d, String incident, String secret) {
    String body =
        "{\"event\": {\"id\": \"ev-"
            + incident
            + "\", \"event_type\": \"incident.resolved\", "
            + "\"agent\": {\"summary\": \"Jane\"}, \"data\": {\"id\": \"P1\", \"type\": \"incident\", \"incident_key\": \""
            + incident
            + "\"}}}";
    return d.post(
        WebhookApi.PATH,
        body,
        Webhooks.SIGNATURE,
        Webhooks.sign(secret, body.getBytes(StandardCharsets.UTF_8)));
  }

  static HttpResponse<String> slack(TestDaemon d, String body, String secret) throws Exception {
    String ts = Long.toString(Instant.now().getEpochSecond());
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(d.url("/slack/commands")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(RequestVerifier.TIMESTAMP, ts)
            .header(
                RequestVerifier.SIGNATURE,
                RequestVerifier.sign(secret, ts, body.getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return d.http.send(req, HttpResponse.BodyHandlers.ofString());
  }
}
