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

/** server.transport: auto takes the cheapest transport that works here; a named one must work. */
class TransportChoiceTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"nio", "epoll", "io_uring"})
  void theDaemonTakesAlertsOnEachTransportThatRunsHereAndSaysWhichInItsStartLine(String name) {
    // io_uring may be forbidden by the kernel or a seccomp profile here: auto skips it then too
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
    return switch (name) {
      case "epoll" -> Transport.EPOLL;
      case "io_uring" -> Transport.IO_URING;
      default -> Transport.NIO;
    };
  }

  @Test
  void autoTakesIoUringElseEpollElseNio() {
    Transport expected =
        VertxRuntime.runs(Transport.IO_URING)
            ? Transport.IO_URING
            : VertxRuntime.runs(Transport.EPOLL) ? Transport.EPOLL : Transport.NIO;
    assertThat(VertxRuntime.transport("auto")).isSameAs(expected);
  }

  @Test
  void onLinuxTheNativeTransportsShipWithVigil() {
    // the jar carries Netty's x86-64 Linux libraries; a build that lost them would fall back to NIO
    // unnoticed, at about a tenth more CPU per request (ADR 0152)
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
    // kqueue is BSD's and macOS's: it never loads here, as io_uring does not where seccomp forbids
    // it
    assertThatThrownBy(() -> VertxRuntime.available("kqueue", Transport.KQUEUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("server.transport: kqueue cannot run here (")
        .hasMessageEndingWith("); use auto or nio");
  }
}
