package dev.vigil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.NotifyConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example stack of {@code examples/stack}, run from its own files: Debian's Prometheus and
 * Alertmanager and the packaged Vigil, each on a free loopback port, with FakePagerDuty in place of
 * PagerDuty and a scrape target this test takes down and brings back.
 *
 * <p>The example's files are copied to a temporary folder and changed only where a test must: the
 * 127.0.0.1 addresses (free ports instead of 9090, 9093, 8080 and 8000), Prometheus's scrape and
 * evaluation intervals and the rule's {@code for}, Alertmanager's group timings, the heartbeat's
 * {@code missingAfter} (its ratio to the Watchdog's re-send interval is kept wide), and the
 * PagerDuty URL. Each replaced text must be found in the example, so an edit of the example that
 * drops one fails this test with the file and the text named, instead of testing something else.
 * Everything else (rules, routes, the bearer token file, {@code send_resolved}, teams,
 * classification, heartbeat, runbook) is the example's.
 *
 * <p>Logs: {@code target/stack-it/{prometheus,alertmanager,vigil}.log}, printed when the test
 * fails.
 */
class StackIT {
  static final Path EXAMPLE = Path.of("examples/stack");
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final Path LOGS = Path.of("target/stack-it");

  /**
   * Files and folders a local run of the example leaves behind (examples/stack/.gitignore): not
   * copied.
   */
  static final Set<String> LOCAL_STATE =
      Set.of("vigil-token", "data", "prometheus-data", "alertmanager-data");

  static final Duration MISSING_AFTER = Duration.ofSeconds(10);
  static final Duration PATIENCE = Duration.ofMinutes(2);

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> started = new ArrayList<>();
  private VigilProcess vigil;

  @RegisterExtension
  final TestWatcher showLogs =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          for (String name : List.of("prometheus.log", "alertmanager.log", "vigil.log")) {
            Path log = LOGS.resolve(name);
            try {
              System.err.println(
                  "===== "
                      + log
                      + " =====\n"
                      + (Files.exists(log) ? Files.readString(log) : "(not written)"));
            } catch (IOException e) {
              System.err.println("===== " + log + ": unreadable: " + e);
            }
          }
        }
      };

  @Test
  void aTargetGoingDownPagesAndComingBackResolvesWhileTheWatchdogKeepsTheHeartbeatQuiet()
      throws Exception {
    RealAlertmanager.assumeInstalled();
    assumePrometheusInstalled();
    Files.createDirectories(LOGS);
    for (String name : List.of("prometheus.log", "alertmanager.log", "vigil.log")) {
      Files.deleteIfExists(LOGS.resolve(name));
    }
    Path stack = copyExample();
    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
    Files.writeString(stack.resolve("vigil-token"), token + "\n");

    try (FakePagerDuty pd = new FakePagerDuty();
        Target target = new Target(Files.readAllBytes(stack.resolve("demo-target/metrics")))) {
      int promPort = RealAlertmanager.freePort();
      int amPort = RealAlertmanager.freePort();
      int vigilPort = RealAlertmanager.freePort();
      String instance = "127.0.0.1:" + target.port;
      String vigilAddress = "127.0.0.1:" + vigilPort;

      edit(
          stack,
          "vigil.yaml",
          Map.of(
              "port: 8080", "port: " + vigilPort,
              "eventsUrl: https://events.pagerduty.com/v2/enqueue", "eventsUrl: " + pd.url()));
      edit(
          stack,
          "classification.yaml",
          Map.of("missingAfter: 5m", "missingAfter: " + MISSING_AFTER.toSeconds() + "s"));
      edit(stack, "runbooks/instance-down.yaml", Map.of("127.0.0.1:9090", "127.0.0.1:" + promPort));
      edit(
          stack,
          "alertmanager.yml",
          Map.of(
              "group_wait: 30s", "group_wait: 1s",
              "group_interval: 5m", "group_interval: 1s",
              "group_interval: 1m", "group_interval: 1s",
              "repeat_interval: 1m", "repeat_interval: 1s",
              "url: http://127.0.0.1:8080/", "url: http://" + vigilAddress + "/"));
      edit(
          stack,
          "prometheus.yml",
          Map.of(
              "scrape_interval: 15s",
              "scrape_interval: 1s",
              "evaluation_interval: 15s",
              "evaluation_interval: 1s",
              "127.0.0.1:9093",
              "127.0.0.1:" + amPort,
              "127.0.0.1:8000",
              instance,
              "127.0.0.1:8080",
              vigilAddress));
      edit(stack, "rules.yml", Map.of("for: 1m", "for: 2s"));

      // Started in the order that keeps the heartbeat's grace (missingAfter, from Vigil's start)
      // clear
      // of start-up delays: Prometheus, until it has discovered Alertmanager (about 5 s); then
      // Vigil;
      // then Alertmanager, which gets the Watchdog within a second and sends it to a Vigil that is
      // up
      // (were Vigil not up, Alertmanager's retries would back off for seconds).
      // Prometheus sends a firing alert when it starts firing and then every
      // --rules.alert.resend-delay
      // (1m by default); 1s here, so a send that found no Alertmanager is repeated at once.
      start(
          promPort,
          "prometheus.log",
          PROMETHEUS.toString(),
          "--config.file=" + stack.resolve("prometheus.yml"),
          "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
          "--web.listen-address=127.0.0.1:" + promPort,
          "--web.external-url=http://127.0.0.1:" + promPort,
          "--rules.alert.resend-delay=1s");
      await("Prometheus discovering Alertmanager")
          .atMost(PATIENCE)
          .until(
              () ->
                  get("http://127.0.0.1:" + promPort + "/api/v1/alertmanagers")
                      .body()
                      .contains("127.0.0.1:" + amPort));
      try {
        vigil =
            VigilProcess.start(
                stack.resolve("vigil.yaml"), Map.of("PD_ROUTING_KEY", NotifyConfig.ROUTING_KEY));
      } finally {
        saveVigilLog();
      }
      Process am =
          start(
              amPort,
              "alertmanager.log",
              RealAlertmanager.BINARY.toString(),
              "--config.file=" + stack.resolve("alertmanager.yml"),
              "--storage.path=" + dir.resolve("am-data"),
              "--web.listen-address=127.0.0.1:" + amPort,
              "--cluster.listen-address=",
              "--web.external-url=http://127.0.0.1:" + amPort);
      assertThat(vigil.port()).isEqualTo(vigilPort);

      // The Watchdog went Prometheus -> Alertmanager -> Vigil with the token from the file: Vigil
      // recorded it, dropped.
      JsonObject watchdog =
          await("the Watchdog recorded by Vigil")
              .atMost(PATIENCE)
              .until(() -> incident(i -> "Watchdog".equals(alertname(i))), Optional::isPresent)
              .orElseThrow();
      assertThat(watchdog.getString("title"))
          .isEqualTo("Alerting pipeline heartbeat; always firing");
      Instant watchdogSince = Instant.parse(watchdog.getString("openedAt"));
      await("Prometheus scraping the target")
          .atMost(PATIENCE)
          .until(() -> promUp(promPort, instance), "1"::equals);

      // Down: the rule fires, Alertmanager sends it, Vigil opens an incident and pages.
      target.stop();
      JsonObject down =
          await("the InstanceDown incident")
              .atMost(PATIENCE)
              .until(() -> incident(i -> "InstanceDown".equals(alertname(i))), Optional::isPresent)
              .orElseThrow();
      String id = down.getString("id");
      assertThat(down.getString("title")).isEqualTo(instance + " of job demo is down");
      assertThat(down.getString("severity")).isEqualTo("critical");
      assertThat(down.getString("team")).isEqualTo("ops");
      assertThat(down.getString("status")).isEqualTo("triggered");
      await("PagerDuty's trigger").atMost(PATIENCE).until(() -> pd.accepted(id, "trigger") == 1);
      JsonObject trigger =
          pd.acceptedEvents().stream()
              .filter(e -> id.equals(e.getString("dedup_key")))
              .findFirst()
              .orElseThrow();
      assertThat(trigger.getString("routing_key")).isEqualTo(NotifyConfig.ROUTING_KEY);
      assertThat(trigger.getJsonObject("payload").getString("summary"))
          .contains(instance + " of job demo is down");
      assertThat(trigger.getJsonObject("payload").getString("severity")).isEqualTo("critical");
      // The example runbook asked the real Prometheus and noted its answer.
      await("the runbook's note")
          .atMost(PATIENCE)
          .until(() -> timeline(id).contains("Prometheus: up{instance=\"" + instance + "\"} = 0"));

      // Back: Prometheus resolves the alert, Alertmanager sends the resolution (send_resolved),
      // Vigil resolves and PagerDuty hears.
      target.start();
      await("the incident resolved")
          .atMost(PATIENCE)
          .until(() -> "resolved".equals(incidentById(id).getString("status")));
      JsonObject resolved = incidentById(id);
      assertThat(resolved.getString("resolvedBy")).isEqualTo("alertmanager");
      await("PagerDuty's resolve").atMost(PATIENCE).until(() -> pd.accepted(id, "resolve") == 1);

      // The Watchdog keeps the heartbeat quiet: two full missingAfter periods pass on Vigil's clock
      // with no heartbeat incident.
      Instant quietUntil = watchdogSince.plus(MISSING_AFTER.multipliedBy(2));
      await("Vigil's clock past " + quietUntil)
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !vigilNow().isBefore(quietUntil));
      assertThat(incident(i -> "VigilHeartbeatMissing".equals(alertname(i))))
          .as("heartbeat incident while the Watchdog flows")
          .isEmpty();
      assertThat(pd.acceptedEvents())
          .as("PagerDuty events")
          .allMatch(e -> id.equals(e.getString("dedup_key")));
      assertThat(pd.accepted(id, "trigger")).as("paged once").isEqualTo(1);

      // And it is the Watchdog that keeps it quiet: with Alertmanager gone, the heartbeat incident
      // opens and pages.
      stop(am);
      JsonObject blind =
          await("the heartbeat incident")
              .atMost(PATIENCE)
              .until(
                  () -> incident(i -> "VigilHeartbeatMissing".equals(alertname(i))),
                  Optional::isPresent)
              .orElseThrow();
      assertThat(blind.getString("title"))
          .startsWith("No Watchdog from Prometheus through Alertmanager");
      assertThat(blind.getString("severity")).isEqualTo("critical");
      await("PagerDuty's trigger for the heartbeat")
          .atMost(PATIENCE)
          .until(() -> pd.accepted(blind.getString("id"), "trigger") == 1);
    } finally {
      for (Process p : started) {
        stop(p);
      }
      if (vigil != null) {
        vigil.close();
        saveVigilLog();
      }
    }
  }

  private static void assumePrometheusInstalled() {
    if (!Files.isExecutable(PROMETHEUS)) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(
            PROMETHEUS + " is missing: .ci/run must install prometheus");
      }
      Assumptions.abort(
          "skipped: " + PROMETHEUS + " is not installed (apt-get install -y prometheus)");
    }
  }

  /** examples/stack, without what a local run of it leaves, in a fresh folder. */
  private Path copyExample() throws IOException {
    Path to = dir.resolve("stack");
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      for (Path from : files.toList()) {
        Path rel = EXAMPLE.relativize(from);
        if (rel.getNameCount() > 0 && LOCAL_STATE.contains(rel.getName(0).toString())) {
          continue;
        }
        Path dest = to.resolve(rel.toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(from, dest);
        }
      }
    }
    return to;
  }

  /**
   * Replaces each key of {@code changes} in the copied {@code file}; fails, naming both, if the
   * example lacks one.
   */
  private static void edit(Path stack, String file, Map<String, String> changes)
      throws IOException {
    Path path = stack.resolve(file);
    String text = Files.readString(path);
    for (Map.Entry<String, String> c : changes.entrySet()) {
      if (!text.contains(c.getKey())) {
        throw new AssertionError(
            "examples/stack/"
                + file
                + " no longer contains \""
                + c.getKey()
                + "\", which StackIT replaces with \""
                + c.getValue()
                + "\": change StackIT together with the example");
      }
      text = text.replace(c.getKey(), c.getValue());
    }
    Files.writeString(path, text);
  }

  /**
   * Starts a Prometheus or Alertmanager with its output in target/stack-it/{@code log}, and waits
   * until {@code /-/ready}.
   */
  private Process start(int port, String log, String... command) throws IOException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(LOGS.resolve(log).toFile()))
            .start();
    started.add(p);
    await(command[0] + " ready")
        .atMost(PATIENCE)
        .ignoreExceptions()
        .until(
            () -> !p.isAlive() || get("http://127.0.0.1:" + port + "/-/ready").statusCode() == 200);
    if (!p.isAlive()) {
      throw new AssertionError(
          command[0] + " exited " + p.exitValue() + " at start: see " + LOGS.resolve(log));
    }
    return p;
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
  }

  private void saveVigilLog() throws IOException {
    // VigilProcess keeps the daemon's output in memory; written out for the failure report.
    Files.writeString(
        LOGS.resolve("vigil.log"), vigil == null ? "(not started)" : vigil.output() + "\n");
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of {@code up} for the instance, as Prometheus's query API answers it, or null. */
  private String promUp(int promPort, String instance) throws IOException, InterruptedException {
    String q = URLEncoder.encode("up{instance=\"" + instance + "\"}", StandardCharsets.UTF_8);
    JsonArray result =
        new JsonObject(get("http://127.0.0.1:" + promPort + "/api/v1/query?query=" + q).body())
            .getJsonObject("data")
            .getJsonArray("result");
    return result.isEmpty() ? null : result.getJsonObject(0).getJsonArray("value").getString(1);
  }

  private Optional<JsonObject> incident(Predicate<JsonObject> which)
      throws IOException, InterruptedException {
    JsonArray all = vigil.getJson("/api/v1/incidents?limit=1000").getJsonArray("incidents");
    return all.stream().map(o -> (JsonObject) o).filter(which).findFirst();
  }

  /** The alertname of an incident in the list, from its detail's labels. */
  private String alertname(JsonObject listed) {
    try {
      return incidentById(listed.getString("id")).getJsonObject("labels").getString("alertname");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonObject incidentById(String id) throws IOException, InterruptedException {
    return vigil.getJson("/api/v1/incidents/" + id);
  }

  private String timeline(String id) throws IOException, InterruptedException {
    StringBuilder out = new StringBuilder();
    incidentById(id)
        .getJsonArray("timeline")
        .forEach(o -> out.append(((JsonObject) o).getString("text")).append('\n'));
    return out.toString();
  }

  /** Vigil's clock, as its on-call API reports the instant it answered for. */
  private Instant vigilNow() throws IOException, InterruptedException {
    return Instant.parse(vigil.getJson("/api/v1/oncall").getString("at"));
  }

  /**
   * A scrape target on a loopback port that stays the same across {@link #stop} and {@link #start},
   * serving the example's demo-target/metrics as the README's python3 server does.
   */
  static final class Target implements AutoCloseable {
    final int port;
    private final byte[] metrics;
    private HttpServer server;

    Target(byte[] metrics) throws IOException {
      this.metrics = metrics;
      server = serve(new InetSocketAddress("127.0.0.1", 0));
      port = server.getAddress().getPort();
    }

    private HttpServer serve(InetSocketAddress at) throws IOException {
      HttpServer s = HttpServer.create(at, 0);
      s.createContext(
          "/metrics",
          ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, metrics.length);
            ex.getResponseBody().write(metrics);
            ex.close();
          });
      s.start();
      return s;
    }

    /** Closes the listener: scrapes get "connection refused". */
    synchronized void stop() {
      server.stop(0);
      server = null;
    }

    /** Listens again on the same port (retried while the old socket is still being released). */
    synchronized void start() {
      server =
          await("the target listening again on " + port)
              .atMost(PATIENCE)
              .ignoreExceptions()
              .until(() -> serve(new InetSocketAddress("127.0.0.1", port)), s -> s != null);
    }

    @Override
    public synchronized void close() {
      if (server != null) {
        server.stop(0);
      }
    }
  }
}
