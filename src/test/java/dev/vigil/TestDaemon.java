package dev.vigil;

import dev.vigil.config.ConfigLoader;
import dev.vigil.config.VigilConfig;
import dev.vigil.timer.Scheduler;
import dev.vigil.timer.VertxScheduler;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real daemon in this JVM for tests: a config written to a temp folder, port 0, a real SQLite
 * file, and a plain HTTP client on loopback.
 */
public final class TestDaemon implements AutoCloseable {
  public final Path dir;
  public final Daemon daemon;
  public final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestDaemon(Path dir, Daemon daemon) {
    this.dir = dir;
    this.daemon = daemon;
  }

  /**
   * Starts a daemon whose vigil.yaml is {@code extraYaml} appended to a minimal loopback config.
   */
  public static TestDaemon start(Path dir, String extraYaml) {
    return start(dir, extraYaml, Map.of(), Clock.systemUTC());
  }

  public static TestDaemon start(Path dir, String extraYaml, Map<String, String> env, Clock clock) {
    return start(dir, extraYaml, env, clock, null);
  }

  /** With {@code scheduler} (null: Vert.x timers), runbook timers move only when the test says. */
  public static TestDaemon start(
      Path dir,
      String extraYaml,
      Map<String, String> env,
      Clock clock,
      Function<Vertx, Scheduler> scheduler) {
    return start(dir, extraYaml, env, clock, scheduler, null);
  }

  /** With {@code spans} (null: none), every span the daemon ends is exported there. */
  public static TestDaemon start(
      Path dir,
      String extraYaml,
      Map<String, String> env,
      Clock clock,
      Function<Vertx, Scheduler> scheduler,
      SpanExporter spans) {
    return start(dir, extraYaml, env, clock, scheduler, spans, Daemon.Probes.NONE);
  }

  /** With runbook timers from {@code scheduler} and {@code probes} attached. */
  public static TestDaemon startProbed(
      Path dir,
      String extraYaml,
      Map<String, String> env,
      Clock clock,
      Function<Vertx, Scheduler> scheduler,
      Daemon.Probes probes) {
    return start(dir, extraYaml, env, clock, scheduler, null, probes);
  }

  /** With {@code probes}: stages tapping the pipeline, a wrapper around the incident store. */
  public static TestDaemon startProbed(
      Path dir, String extraYaml, Map<String, String> env, Clock clock, Daemon.Probes probes) {
    return start(dir, extraYaml, env, clock, null, null, probes);
  }

  private static TestDaemon start(
      Path dir,
      String extraYaml,
      Map<String, String> env,
      Clock clock,
      Function<Vertx, Scheduler> scheduler,
      SpanExporter spans,
      Daemon.Probes probes) {
    try {
      Path config = writeConfig(dir, extraYaml);
      VigilConfig cfg = new ConfigLoader(env::get).load(config);
      var timers =
          scheduler != null
              ? scheduler
              : (Function<Vertx, Scheduler>) v -> new VertxScheduler(v, clock);
      Daemon d =
          Daemon.start(cfg, clock, timers, Optional.ofNullable(spans), probes)
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      return new TestDaemon(dir, d);
    } catch (Exception e) {
      throw new IllegalStateException("test daemon did not start: " + e.getMessage(), e);
    }
  }

  /**
   * Copies the shipped config/teams.yaml and config/classification.yaml into {@code dir/config}.
   */
  public static void copyShippedRouting(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("config"));
    Files.copy(Path.of("config/teams.yaml"), dir.resolve("config/teams.yaml"));
    Files.copy(Path.of("config/classification.yaml"), dir.resolve("config/classification.yaml"));
  }

  /** Writes config/vigil.yaml under {@code dir}: loopback, port 0, SQLite in {@code dir/data}. */
  public static Path writeConfig(Path dir, String extraYaml) throws IOException {
    Path config = dir.resolve("config/vigil.yaml");
    Files.createDirectories(config.getParent());
    Files.createDirectories(dir.resolve("runbooks"));
    String yaml =
        extraYaml.contains("server:")
            ? extraYaml
            : "server: {host: 127.0.0.1, port: 0}\n" + extraYaml;
    if (!yaml.contains("store:")) {
      yaml += "\n" + TestStore.yaml(dir) + "\n";
    }
    Files.writeString(config, yaml);
    return config;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + daemon.port() + path;
  }

  public HttpResponse<String> get(String path, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET(), headers);
  }

  public HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(path)))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    boolean hasType = false;
    for (int i = 0; i < headers.length; i += 2) {
      hasType |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (!hasType) {
      b.header("Content-Type", "application/json");
    }
    return send(b, headers);
  }

  private HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(
          b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A file from src/test/resources. */
  public static String resource(String name) {
    try (var in = TestDaemon.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      daemon.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test daemon did not stop: " + e.getMessage(), e);
    }
  }
}
