package dev.vigil.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.TestDaemon;
import io.vertx.core.transport.Transport;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** server.transport: auto takes epoll where it loads, else NIO; a named one must load. */
class TransportChoiceTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"nio", "epoll"})
  void theDaemonTakesAlertsOnEachTransportThatRunsHereAndSaysWhichInItsStartLine(String name) {
    // epoll only on Linux x86-64: auto takes NIO elsewhere too
    assumeTrue(VertxRuntime.runs(named(name)), name + " cannot run on this machine");
    try (LogCapture log = new LogCapture(Level.INFO);
        TestDaemon d =
            TestDaemon.start(dir, "server: {host: 127.0.0.1, port: 0, transport: " + name + "}")) {
      assertThat(
              d.post(
                      "/api/v1/alerts/alertmanager",
                      TestDaemon.resource("webhooks/webhook-v4-1alert.json"))
                  .statusCode())
          .isEqualTo(202);
      assertThat(d.daemon.vertx().isNativeTransportEnabled()).isEqualTo(!"nio".equals(name));
      assertThat(log.text()).contains("vigil: listening").contains("transport=" + name);
    }
  }

  private static Transport named(String name) {
    return "epoll".equals(name) ? Transport.EPOLL : Transport.NIO;
  }

  @Test
  void autoTakesEpollElseNio() {
    Transport expected = VertxRuntime.runs(Transport.EPOLL) ? Transport.EPOLL : Transport.NIO;
    assertThat(VertxRuntime.transport("auto")).isSameAs(expected);
  }

  @Test
  void onLinuxTheNativeTransportShipsWithVigil() {
    // the jar carries Netty's x86-64 Linux library; a build that lost it would fall back to NIO
    // unnoticed (ADR 0152)
    if (System.getProperty("os.name").equals("Linux")
        && System.getProperty("os.arch").equals("amd64")) {
      assertThat(VertxRuntime.runs(Transport.EPOLL)).as("epoll").isTrue();
      assertThat(VertxRuntime.transport("epoll")).isSameAs(Transport.EPOLL);
    }
  }

  @Test
  void nioIsAlwaysThere() {
    assertThat(VertxRuntime.transport("nio")).isSameAs(Transport.NIO);
  }

  @Test
  void aTransportNamedOutrightThatCannotRunStopsTheStartAndSaysWhy() {
    // kqueue is BSD's and macOS's: it never loads here, as epoll does not on an arm64 Linux
    assertThatThrownBy(() -> VertxRuntime.available("kqueue", Transport.KQUEUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("server.transport: kqueue cannot run here (")
        .hasMessageEndingWith("); use auto or nio");
  }
}
