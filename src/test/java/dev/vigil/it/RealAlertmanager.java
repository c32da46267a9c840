package dev.vigil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code prometheus-alertmanager} started on a free loopback port with clustering off,
 * sending webhooks to a receiver URL with a bearer token. CI must have it (.ci/run installs it);
 * elsewhere tests that need it are skipped with a message.
 */
public final class RealAlertmanager implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

  private final Process process;
  public final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private RealAlertmanager(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static void assumeInstalled() {
    if (!Files.isExecutable(BINARY)) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(
            BINARY + " is missing: .ci/run must install prometheus-alertmanager");
      }
      Assumptions.abort(
          "skipped: " + BINARY + " is not installed (apt-get install -y prometheus-alertmanager)");
    }
  }

  /** Starts Alertmanager routing every alert, grouped by alertname, to {@code webhookUrl}. */
  public static RealAlertmanager start(Path dir, String webhookUrl, String token)
      throws IOException {
    assumeInstalled();
    int port = freePort();
    Path config = dir.resolve("am.yml");
    Files.writeString(
        config,
        """
        route:
          receiver: vigil
          group_by: [alertname]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: vigil
            webhook_configs:
              - url: "%s"
                send_resolved: true
                http_config:
                  authorization: {type: Bearer, credentials: "%s"}
        """
            .formatted(webhookUrl, token));
    Process p =
        new ProcessBuilder(
                BINARY.toString(),
                "--config.file=" + config,
                "--storage.path=" + dir.resolve("am-data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--web.external-url=http://127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("alertmanager.log").toFile())
            .start();
    RealAlertmanager am = new RealAlertmanager(p, port);
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> am.get("/-/ready").statusCode() == 200);
    return am;
  }

  /** Posts alerts to Alertmanager's own API v2, as Prometheus would. */
  public void postAlerts(String jsonArray) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/alerts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonArray))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
