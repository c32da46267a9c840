package dev.vigil.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.vigil.RawHttp;
import dev.vigil.TestDaemon;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gzip bomb (about 1 MB that inflates to 1 GiB) sent without a token costs the server almost no
 * CPU: request bodies are never inflated, so the bomb is refused with 415 before it is read and the
 * connection closes. Inflating it took about 2 s of CPU per request, and the server went on
 * inflating after it had answered 401/404. Measured as this process's CPU time (the server runs in
 * it), not wall-clock time, so a busy machine does not make it pass or fail.
 */
class DecompressionBombTest {
  static final Duration CPU_BOUND = Duration.ofMillis(700);
  static byte[] bomb;

  @TempDir Path dir;

  @BeforeAll
  static void makeBomb() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz =
        new GZIPOutputStream(out, 1 << 16) {
          {
            def.setLevel(9);
          }
        }) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 1024; i++) {
        gz.write(zeros);
      }
    }
    bomb = out.toByteArray();
  }

  static long cpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  @Test
  void aGzipBombWithoutATokenIsRefusedUnreadForAlmostNoCpu() {
    String yaml =
        "auth: {webhookTokens: [hook-token], apiTokens: [api-token]}\nslack: {signingSecret: s}\n";
    try (TestDaemon d = TestDaemon.start(dir, yaml)) {
      List<String> requests =
          List.of(
              "POST /api/v1/alerts/alertmanager HTTP/1.1\r\nContent-Type: application/json\r\n",
              "POST /api/v1/alerts/alertmanager HTTP/1.1\r\nAuthorization: Bearer hook-token\r\nContent-Type: application/json\r\n",
              "POST /healthz HTTP/1.1\r\nContent-Type: application/json\r\n",
              "POST /slack/commands HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n");
      for (String head : requests) {
        send(
            d,
            head,
            new byte[] {
              1
            }); // warm up: the first request of each kind loads classes and compiles code
      }
      for (String head : requests) {
        long before = cpuNanos();
        RawHttp.Response r;
        boolean closed;
        try (RawHttp raw = new RawHttp(d.daemon.port()).timeout(5_000)) {
          r = send(raw, head, bomb);
          closed = raw.closedByServer(); // the old server went on inflating here, for seconds
        }
        Duration used = Duration.ofNanos(cpuNanos() - before);
        assertThat(used)
            .as("CPU for " + head.lines().findFirst().orElseThrow())
            .isLessThan(CPU_BOUND);
        assertThat(r.status()).as(head).isBetween(400, 499);
        assertThat(closed).as("the rest of the bomb is not read").isTrue();
      }
    }
  }

  static RawHttp.Response send(TestDaemon d, String head, byte[] body) {
    try (RawHttp raw = new RawHttp(d.daemon.port())) {
      return send(raw, head, body);
    }
  }

  static RawHttp.Response send(RawHttp raw, String head, byte[] body) {
    raw.send(
        head + "Host: x\r\nContent-Encoding: gzip\r\nContent-Length: " + body.length + "\r\n\r\n");
    raw.send(body);
    return raw.read();
  }
}
