package dev.vigil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.NotifyConfig;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox under the worst crash, with the packaged daemon: SIGKILL while a page's trigger is in
 * flight (PagerDuty read it and has not answered), then a restart. The page must reach PagerDuty,
 * and be accepted exactly once.
 */
class NotifyCrashIT {
  @TempDir Path dir;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aPageInFlightAtSigkillIsDeliveredOnceAfterTheRestart() throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty().hang(true)) {
      String vigil =
          "pagerduty: {eventsUrl: \""
              + pd.url()
              + "\"}\n"
              + "notify:\n  retry: {maxAttempts: 20, initialDelay: 100ms, maxDelay: 500ms}\n  breaker: {timeout: 60s}\n";
      Path config =
          NotifyConfig.write(dir, NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY), vigil);
      String id;
      VigilProcess first = VigilProcess.start(config);
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(first.url("/api/v1/alerts/alertmanager")))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            NotifyConfig.criticalWebhook("CrashPage")))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(202);
        id = new JsonObject(r.body()).getJsonArray("incidents").getString(0);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> pd.requests() >= 1); // the trigger is on the wire, unanswered
        first.kill();
      } finally {
        first.close();
      }
      assertThat(pd.accepted(id, "trigger")).isZero();

      pd.hang(false);
      VigilProcess second = VigilProcess.start(config);
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> pd.accepted(id, "trigger") == 1);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    timeline(second, id)
                        .contains("notified: paged team eu (level 1) via pagerduty"));
        assertThat(pd.accepted(id, "trigger")).as("delivered once").isEqualTo(1);
        assertThat(pd.requests())
            .as("the one lost in the crash and the one after the restart")
            .isEqualTo(2);
        assertThat(second.terminate()).isZero();
      } finally {
        second.close();
      }
    }
  }

  private String timeline(VigilProcess v, String id) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(v.url("/api/v1/incidents/" + id))).build(),
            HttpResponse.BodyHandlers.ofString());
    StringBuilder out = new StringBuilder();
    new JsonObject(r.body())
        .getJsonArray("timeline")
        .forEach(
            o ->
                out.append(((JsonObject) o).getString("kind"))
                    .append(": ")
                    .append(((JsonObject) o).getString("text"))
                    .append('\n'));
    return out.toString();
  }
}
