package dev.vigil.runbook.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.config.ConfigException;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.HostPattern;
import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import dev.vigil.runbook.RunbookReader;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where an {@code http} step may send a request: {@code runbooks.http.allow} (validated in the
 * config, applied when a runbook loads and again to the rendered URL), and redirects, which are
 * followed within the same origin only. Two real servers on loopback, one redirecting to the other.
 */
class HttpStepWhereTest {
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final List<String> calls = new CopyOnWriteArrayList<>();
  HttpServer a;
  HttpServer b;

  @BeforeEach
  void servers() throws IOException {
    b = server("b");
    a = server("a");
    a.createContext("/same", ex -> redirect(ex, "/ok"));
    a.createContext(
        "/away", ex -> redirect(ex, "http://localhost:" + b.getAddress().getPort() + "/ok"));
    a.createContext(
        "/other-port", ex -> redirect(ex, "http://127.0.0.1:" + b.getAddress().getPort() + "/ok"));
  }

  HttpServer server(String name) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/ok",
        ex -> {
          calls.add(name + " " + ex.getRequestURI().getPath());
          byte[] body = ("{\"from\": \"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    s.start();
    return s;
  }

  void redirect(HttpExchange ex, String location) throws IOException {
    calls.add("a " + ex.getRequestURI().getPath());
    ex.getResponseHeaders().add("Location", location);
    ex.sendResponseHeaders(302, -1);
    ex.close();
  }

  @AfterEach
  void stop() throws Exception {
    a.stop(0);
    b.stop(0);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  Map<String, Object> get(List<String> allow, String url) throws Exception {
    HttpStep.Call call = new HttpStep.Call("GET", url, Map.of(), null, List.of());
    return new HttpRequests(HttpRequests.client(vertx), allow)
        .request(call, Duration.ofSeconds(10), Map.of())
        .toCompletionStage()
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  String a(String path) {
    return "http://127.0.0.1:" + a.getAddress().getPort() + path;
  }

  @Test
  void aRedirectWithinTheSameOriginIsFollowed() throws Exception {
    Map<String, Object> r = get(List.of(), a("/same"));
    assertThat(r.get("status")).isEqualTo(200L);
    assertThat(r.get("body")).isEqualTo("{\"from\": \"a\"}");
    assertThat(calls).containsExactly("a /same", "a /ok");
  }

  @Test
  void aRedirectToAnotherHostOrPortIsNotFollowedAndIsTheAnswer() throws Exception {
    for (String path : List.of("/away", "/other-port")) {
      Map<String, Object> r = get(List.of(), a(path));
      assertThat(r.get("status")).as(path).isEqualTo(302L);
      @SuppressWarnings("unchecked")
      Map<String, String> headers = (Map<String, String>) r.get("headers");
      assertThat(headers.get("location")).endsWith(":" + b.getAddress().getPort() + "/ok");
    }
    assertThat(calls).as("server b was never called").containsExactly("a /away", "a /other-port");
  }

  @Test
  void aHostOutsideTheAllowlistIsRefusedBeforeAnyConnection() throws Exception {
    assertThatThrownBy(() -> get(List.of("prometheus", "*.example.com"), a("/ok")))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining(
            "host \"127.0.0.1\" is not in runbooks.http.allow (allowed: prometheus, *.example.com)");
    assertThat(calls).isEmpty();
    assertThat(get(List.of("127.0.0.1"), a("/ok")).get("status")).isEqualTo(200L);
  }

  @Test
  void hostPatternsMatchWholeHostsOrSubdomains() {
    List<String> allow = List.of("Prometheus", "*.example.com", "[::1]");
    assertThat(List.of("prometheus", "PROMETHEUS", "a.example.com", "a.b.example.com", "[::1]"))
        .allSatisfy(h -> assertThat(HostPattern.allows(allow, h)).as(h).isTrue());
    assertThat(
            List.of(
                "example.com",
                "evilexample.com",
                "example.com.evil",
                "prometheus.evil",
                "127.0.0.1",
                ""))
        .allSatisfy(h -> assertThat(HostPattern.allows(allow, h)).as(h).isFalse());
    assertThat(HostPattern.hostOf("http://user:pw@prometheus:9090/api?q=1")).contains("prometheus");
    assertThat(HostPattern.hostOf("http://evil.com\\@prometheus/")).contains("evil.com");
    assertThat(HostPattern.hostOf("ftp://prometheus/")).isEmpty();
  }

  @Test
  void aRunbookCallingAHostOutsideTheAllowlistIsRefusedWhereTheHostIsWritten() {
    String yaml =
        """
        name: calls
        match: ['alertname = "X"']
        steps:
          - id: ok
            http: {url: "https://prom.example.com/api"}
          - id: bad
            http: {url: "https://user@evil.com:8443/api"}
        """;
    Problems problems = new Problems();
    new RunbookReader(List.of(), List.of("*.example.com"))
        .parse(
            yaml.getBytes(StandardCharsets.UTF_8), Path.of("calls.yaml"), "calls.yaml", problems);
    assertThat(problems.errors())
        .extracting(Problem::toString)
        .containsExactly(
            "calls.yaml:7:26: steps[1].http.url: host \"evil.com\" is not in runbooks.http.allow (allowed: *.example.com)");
  }

  @Test
  void aPatternThatIsNotAHostIsAConfigErrorWithItsPosition() throws IOException {
    Path config = dir.resolve("vigil.yaml");
    Files.writeString(
        config,
        """
        runbooks:
          http:
            allow: [prometheus, "http://grafana:3000", "*.example.com", "*"]
        """);
    assertThatThrownBy(() -> new ConfigLoader(k -> null).load(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            config
                + ":3:25: runbooks.http.allow[1]: \"http://grafana:3000\" is not a host pattern: "
                + "write a host such as prometheus, 10.0.0.5, [::1] or *.example.com (no scheme, port or path)")
        .hasMessageContaining(
            config + ":3:65: runbooks.http.allow[3]: \"*\" is not a host pattern");
  }
}
