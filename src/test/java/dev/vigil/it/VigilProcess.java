package dev.vigil.it;

import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged daemon ({@code target/vigil.jar}) as a separate process, so tests can SIGKILL it.
 * The port comes from its "vigil: listening" log line, since the config asks for port 0.
 */
public final class VigilProcess implements AutoCloseable {
  /**
   * The port pair of the line, as the JSON log writes it ({@code "port":8080}) or the text log
   * ({@code port=8080}).
   */
  private static final Pattern PORT = Pattern.compile("\\bport\"?[:=]\"?(\\d+)");

  private final Process process;
  private final AtomicInteger port = new AtomicInteger();
  private final List<String> output = new ArrayList<>();

  private VigilProcess(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (output) {
                    output.add(line);
                  }
                  if (line.contains("vigil: listening")) {
                    Matcher m = PORT.matcher(line);
                    if (m.find()) {
                      port.set(Integer.parseInt(m.group(1)));
                    }
                  }
                }
              } catch (IOException ignored) {
                // the process died; that is what some tests do
              }
            },
            "vigil-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static Path jar() {
    return Path.of(System.getProperty("vigil.jar", "target/vigil.jar"));
  }

  /** Starts {@code vigil serve --config config} and waits until it listens. */
  public static VigilProcess start(Path config) throws IOException {
    return start(config, Map.of());
  }

  /**
   * Starts {@code vigil serve --config config} with {@code env} added to this process's
   * environment, and waits until it listens.
   */
  public static VigilProcess start(Path config, Map<String, String> env) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder("java", "-jar", jar().toString(), "serve", "--config", config.toString())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    VigilProcess v = new VigilProcess(p);
    await().atMost(Duration.ofSeconds(60)).until(() -> v.port.get() > 0 || !p.isAlive());
    if (!p.isAlive()) {
      throw new IllegalStateException(
          "vigil exited " + p.exitValue() + " at start:\n" + v.output());
    }
    return v;
  }

  public int port() {
    return port.get();
  }

  /** Starts {@code vigil serve --config config} without waiting: several can then start at once. */
  public static VigilProcess launch(Path config) throws IOException {
    Process p =
        new ProcessBuilder("java", "-jar", jar().toString(), "serve", "--config", config.toString())
            .redirectErrorStream(true)
            .start();
    return new VigilProcess(p);
  }

  /**
   * Waits until a {@link #launch launched} process listens; fails with its output if it exits
   * first.
   */
  public VigilProcess awaitListening() {
    await().atMost(Duration.ofSeconds(60)).until(() -> port.get() > 0 || !process.isAlive());
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "vigil exited " + process.exitValue() + " at start:\n" + output());
    }
    return this;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port.get() + path;
  }

  /** SIGKILL: no shutdown hook, no drain, no flush. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, and the exit code. */
  public int terminate() throws InterruptedException {
    process.destroy();
    return process.waitFor();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGHUP: reload the runbooks. */
  public void hangUp() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start().waitFor();
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** GET {@code path}; fails unless it answers 200; the body as JSON. */
  public JsonObject getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return new JsonObject(r.body());
  }

  /** POST {@code body} as JSON to {@code path}. */
  public HttpResponse<String> post(String path, String body)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Step {@code id} of run {@code run}, as the runs API shows it. */
  public JsonObject step(String run, String id) throws IOException, InterruptedException {
    JsonArray steps = getJson("/api/v1/runs/" + run).getJsonArray("steps");
    for (int i = 0; i < steps.size(); i++) {
      if (steps.getJsonObject(i).getString("id").equals(id)) {
        return steps.getJsonObject(i);
      }
    }
    throw new AssertionError("run " + run + " has no step " + id);
  }

  public String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
