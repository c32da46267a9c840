package dev.vigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Links to an incident's console page: server.publicUrl, else the listen address. */
class ConsoleLinksTest {
  static VigilConfig.Server server(String host, int port, String publicUrl, boolean tls) {
    return new VigilConfig.Server(
        host,
        port,
        1024,
        Duration.ofSeconds(1),
        publicUrl,
        tls ? Optional.of(new VigilConfig.Tls(Path.of("c"), Path.of("k"))) : Optional.empty(),
        VigilConfig.Limits.DEFAULT,
        "auto");
  }

  @Test
  void thePublicUrlWinsElseTheListenAddressIsUsed() {
    assertThat(server("0.0.0.0", 8080, "https://vigil.example", false).consoleUrl("INC-4"))
        .isEqualTo("https://vigil.example/ui/incidents/INC-4");
    assertThat(server("127.0.0.1", 8080, "", false).consoleUrl("INC-4"))
        .isEqualTo("http://127.0.0.1:8080/ui/incidents/INC-4");
    assertThat(server("::1", 9443, "", true).consoleUrl("INC-4"))
        .isEqualTo("https://[::1]:9443/ui/incidents/INC-4");
    assertThat(server("0.0.0.0", 8080, "", false).baseUrl()).isEqualTo("http://localhost:8080");
  }
}
