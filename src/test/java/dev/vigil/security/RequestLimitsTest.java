package dev.vigil.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestDaemon;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint bounds what it reads: bodies past {@code server.maxBodyBytes} (API) or 256 KiB
 * (Slack) get 413, endpoints that take no body never buffer one, and oversized request lines and
 * headers are refused by the HTTP layer. Raw sockets, so nothing client-side trims the request.
 */
class RequestLimitsTest {
  static final int LIMIT = 64 * 1024;

  @TempDir Path dir;

  @Test
  void oversizedBodiesAre413OnEveryEndpointThatReadsOne() throws IOException {
    try (TestDaemon d =
        TestDaemon.start(
            dir,
            "server: {host: 127.0.0.1, port: 0, maxBodyBytes: "
                + LIMIT
                + "}\nslack: {signingSecret: s}\n")) {
      for (String path :
          List.of(
              "/api/v1/alerts/alertmanager",
              "/api/v1/alerts",
              "/api/v1/incidents/INC-1/notes",
              "/api/v1/overrides")) {
        assertThat(status(d, "POST " + path, "Content-Type: application/json", LIMIT + 1))
            .as(path)
            .isEqualTo(413);
      }
      for (String path : List.of("/slack/commands", "/slack/interactions")) {
        assertThat(
                status(
                    d,
                    "POST " + path,
                    "Content-Type: application/x-www-form-urlencoded",
                    256 * 1024 + 1))
            .as(path)
            .isEqualTo(413);
      }
    }
  }

  @Test
  void endpointsWithoutABodyAndOversizedHeadersAre4xxNot5xx() throws IOException {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      assertThat(status(d, "POST /-/reload", "Content-Type: application/json", 4 * 1024 * 1024))
          .isBetween(200, 499);
      assertThat(status(d, "POST /healthz", "Content-Type: text/plain", 4 * 1024 * 1024))
          .isEqualTo(404);
      assertThat(status(d, "GET /api/v1/incidents?x=" + "a".repeat(10_000), "X-A: b", 0))
          .isEqualTo(414);
      assertThat(status(d, "GET /api/v1/incidents", "X-Big: " + "a".repeat(20_000), 0))
          .isEqualTo(431);
    }
  }

  /**
   * Sends one request with a body of {@code bodyBytes} spaces (stopping early if the server answers
   * first) and reads the status.
   */
  static int status(TestDaemon d, String requestLine, String header, int bodyBytes)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", d.daemon.port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(
          (requestLine
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + header
                  + "\r\nContent-Length: "
                  + bodyBytes
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = " ".repeat(16 * 1024).getBytes(StandardCharsets.ISO_8859_1);
      try {
        for (int sent = 0; sent < bodyBytes; sent += chunk.length) {
          out.write(chunk, 0, Math.min(chunk.length, bodyBytes - sent));
        }
        out.flush();
      } catch (IOException closedEarly) {
        // the server answered and closed before the whole body was sent: the answer is still there
        // to read
      }
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(head.substring(9, 12));
    }
  }
}
