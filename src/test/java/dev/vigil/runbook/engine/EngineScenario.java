package dev.vigil.runbook.engine;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the engine test classes share: a temp folder for the daemon, a local HTTP server as the
 * system runbooks act on, the daemon fixture (started by each test with its runbook), and closing
 * both.
 */
abstract class EngineScenario {
  @TempDir Path dir;
  LocalServer server;
  RunbookFixture f;

  @BeforeEach
  void server() throws Exception {
    server = new LocalServer();
  }

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
    server.close();
  }

  /**
   * A runbook named and matched by {@code name}, with {@code $BASE} replaced by the local server's
   * URL.
   */
  String rb(String name, String body) {
    return ("name: " + name + "\nmatch: ['alertname = \"" + name + "\"']\n" + body)
        .replace("$BASE", server.base());
  }
}
