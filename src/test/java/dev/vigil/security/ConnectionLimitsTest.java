package dev.vigil.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.RawHttp;
import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and idle connections cannot hold the listener: half-sent headers, a body that never arrives
 * and an idle keep-alive connection are closed by the server after their (here short) timeouts,
 * connections beyond {@code server.maxConnections} are refused, unsigned Slack bodies share one
 * byte budget, and a graceful stop does not wait for idle connections. Raw sockets, port 0, and a
 * read that must see the server's EOF; no sleeps.
 */
class ConnectionLimitsTest {
  static final String SHORT =
      "server: {host: 127.0.0.1, port: 0, headerTimeout: 300ms, bodyTimeout: 300ms, idleTimeout: 300ms}\n";
  static final String GET = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

  @TempDir Path dir;

  static RawHttp open(TestDaemon d) {
    return new RawHttp(d.daemon.port())
        .timeout(5_000); // far above the 300 ms limits: a server that never closes fails in 5 s
  }

  @Test
  void halfSentHeadersAreClosedByTheServer() {
    try (TestDaemon d = TestDaemon.start(dir, SHORT)) {
      List<RawHttp> slow = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        slow.add(open(d).send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow-" + i + ": "));
      }
      slow.add(open(d)); // nothing sent at all
      for (RawHttp s : slow) {
        assertThat(s.closedByServer()).isTrue();
        s.close();
      }
      assertThat(d.get("/healthz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aBodyThatDoesNotArriveIs408AndItsConnectionCloses() {
    try (TestDaemon d = TestDaemon.start(dir, SHORT);
        RawHttp raw = open(d)) {
      RawHttp.Response r =
          raw.send(
                  "POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 100\r\n\r\n[{\"labels\":")
              .read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(new JsonObject(r.body()).getString("error"))
          .isEqualTo("the request body did not arrive within 300ms (server.bodyTimeout)");
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() {
    try (TestDaemon d = TestDaemon.start(dir, SHORT);
        RawHttp raw = open(d)) {
      assertThat(raw.send(GET).read().status()).isEqualTo(200);
      assertThat(raw.send(GET).read().status()).as("kept alive between requests").isEqualTo(200);
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void connectionsBeyondTheCapAreRefusedUntilOneCloses() {
    try (TestDaemon d =
            TestDaemon.start(dir, "server: {host: 127.0.0.1, port: 0, maxConnections: 2}\n");
        RawHttp a = open(d);
        RawHttp b = open(d)) {
      assertThat(a.send(GET).read().status()).isEqualTo(200);
      assertThat(b.send(GET).read().status()).isEqualTo(200);
      try (RawHttp c = open(d)) {
        assertThat(c.send(GET).closedByServer()).as("a third connection").isTrue();
      }
      a.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                try (RawHttp c = open(d)) {
                  assertThat(c.send(GET).read().status()).isEqualTo(200);
                }
              });
    }
  }

  @Test
  void aGracefulStopClosesIdleConnectionsAtOnce() {
    TestDaemon d =
        TestDaemon.start(dir, "server: {host: 127.0.0.1, port: 0, shutdownTimeout: 20s}\n");
    try (RawHttp kept = open(d);
        RawHttp silent = open(d);
        RawHttp half = open(d)) {
      assertThat(kept.send(GET).read().status()).isEqualTo(200);
      half.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      assertThat(d.get("/healthz").statusCode()).isEqualTo(200); // all three are open by now
      long start = System.nanoTime();
      d.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("stop with idle connections")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(kept.closedByServer()).as("the idle keep-alive connection").isTrue();
      assertThat(silent.closedByServer()).as("a connection that sent nothing").isTrue();
      assertThat(half.closedByServer()).as("a connection with half-sent headers").isTrue();
    }
  }

  @Test
  void unsignedSlackBodiesShareOneBudgetAndAnAbortedOneIsNoError() {
    String slack =
        "server: {host: 127.0.0.1, port: 0, maxUnauthenticatedBytes: 300000}\nslack: {signingSecret: s}\n";
    String head =
        "POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000\r\n\r\n";
    try (TestDaemon d = TestDaemon.start(dir, slack);
        LogCapture log = new LogCapture(Level.INFO)) {
      RawHttp a = open(d).send(head + "text=" + "a".repeat(1000));
      await().atMost(Duration.ofSeconds(10)).until(() -> held(d) == 200_000);

      try (RawHttp b = open(d)) {
        RawHttp.Response r = b.send(head).read();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isEqualTo("1");
        assertThat(new JsonObject(r.body()).getString("error"))
            .contains("server.maxUnauthenticatedBytes");
        assertThat(b.closedByServer()).as("its body is not read").isTrue();
      }

      a.close(); // the sender goes away mid-body
      await().atMost(Duration.ofSeconds(10)).until(() -> held(d) == 0);
      try (RawHttp c = open(d)) {
        assertThat(c.send(head + "x".repeat(200_000)).read().status())
            .as("budget given back: read, then refused unsigned")
            .isEqualTo(401);
      }
      assertThat(log.errors()).isEmpty();
    }
  }

  static long held(TestDaemon d) {
    return d.get("/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith("vigil_http_unauthenticated_bytes "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }
}
