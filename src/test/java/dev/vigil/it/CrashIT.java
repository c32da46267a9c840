package dev.vigil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable-ack contract under the worst crash: the daemon is SIGKILLed while concurrent webhooks
 * are in flight, restarted, and every alert that got a 2xx must be there.
 */
class CrashIT {
  static final int CLIENTS = 16;
  static final int ROUNDS = 3;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedAlertSurvivesSigkill() throws Exception {
    Path config = TestDaemon.writeConfig(dir, "");
    Map<String, String> acked =
        new ConcurrentHashMap<>(); // incident id -> fingerprint of its one alert
    AtomicInteger sequence = new AtomicInteger();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    int failedRequests = 0;

    for (int round = 0; round < ROUNDS; round++) {
      VigilProcess vigil = VigilProcess.start(config);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ackedThisRound = new AtomicInteger();
      AtomicInteger failures = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      for (int c = 0; c < CLIENTS; c++) {
        pool.submit(
            () -> {
              while (running.get()) {
                int n = sequence.incrementAndGet();
                String fingerprint = String.format("%016x", 0xc0ffee0000000000L + n);
                try {
                  HttpResponse<String> r =
                      http.send(
                          HttpRequest.newBuilder(
                                  URI.create(vigil.url("/api/v1/alerts/alertmanager")))
                              .header("Content-Type", "application/json")
                              .timeout(Duration.ofSeconds(10))
                              .POST(HttpRequest.BodyPublishers.ofString(webhook(n, fingerprint)))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  if (r.statusCode() == 202) {
                    acked.put(
                        new JsonObject(r.body()).getJsonArray("incidents").getString(0),
                        fingerprint);
                    ackedThisRound.incrementAndGet();
                  } else {
                    failures.incrementAndGet();
                  }
                } catch (Exception e) {
                  failures.incrementAndGet(); // the kill: connection reset or refused
                }
              }
            });
      }
      int target = 150 + round * 50;
      await().atMost(Duration.ofSeconds(60)).until(() -> ackedThisRound.get() >= target);
      vigil.kill(); // mid-stream: clients are still sending
      running.set(false);
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      failedRequests += failures.get();
    }

    VigilProcess vigil = VigilProcess.start(config);
    try {
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, String> e : acked.entrySet()) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(vigil.url("/api/v1/incidents/" + e.getKey())))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200
            || !new JsonObject(r.body())
                .getJsonArray("alerts")
                .getJsonObject(0)
                .getString("fingerprint")
                .equals(e.getValue())) {
          missing.add(e.getKey());
        }
      }
      assertThat(acked).hasSizeGreaterThanOrEqualTo(150 + 200 + 250);
      assertThat(missing)
          .as(
              "acknowledged but lost after SIGKILL (of %d acked, %d requests failed during kills)",
              acked.size(), failedRequests)
          .isEmpty();

      // Alertmanager re-sends after an outage: each alert is the one already stored, though the
      // kills left the keys of the newest alerts only in the memory of the process killed (ADR
      // 0144)
      List<String> doubled = new ArrayList<>();
      for (Map.Entry<String, String> e : acked.entrySet()) {
        String incident = e.getKey();
        int n = (int) (Long.parseUnsignedLong(e.getValue(), 16) - 0xc0ffee0000000000L);
        HttpResponse<String> sent =
            http.send(
                HttpRequest.newBuilder(URI.create(vigil.url("/api/v1/alerts/alertmanager")))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(webhook(n, e.getValue())))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sent.statusCode()).isEqualTo(202);
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(vigil.url("/api/v1/incidents/" + incident)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (new JsonObject(r.body()).getJsonArray("alerts").size() != 1) {
          doubled.add(incident);
        }
      }
      assertThat(doubled).as("incidents holding a re-sent alert twice").isEmpty();
      assertThat(vigil.terminate()).as("SIGTERM drains and exits 0").isZero();
    } finally {
      vigil.close();
    }
  }

  static String webhook(int n, String fingerprint) {
    return """
        {"version": "4", "groupKey": "{}:{alertname=\\"CrashTest\\", n=\\"%d\\"}", "status": "firing", "receiver": "vigil",
         "commonLabels": {"alertname": "CrashTest", "n": "%d"},
         "alerts": [{"status": "firing", "labels": {"alertname": "CrashTest", "n": "%d", "severity": "critical"},
                     "annotations": {"summary": "crash test alert %d"}, "startsAt": "2026-11-29T05:00:00Z",
                     "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": "%s"}]}
        """
        .formatted(n, n, n, n, fingerprint);
  }
}
