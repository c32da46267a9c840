package dev.vigil.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of the test's own (initdb in a temporary folder, trust auth on 127.0.0.1), so
 * the test may stop and start it while Vigil runs. PostgreSQL refuses to run as root: when the test
 * runs as root, the server runs as user {@code postgres}. The port is a free one found at start (a
 * server cannot listen on port 0).
 */
public final class PrivatePostgres implements AutoCloseable {
  private final Path home;
  private final Path bin;
  private final int port;

  private PrivatePostgres(Path home, Path bin, int port) {
    this.home = home;
    this.bin = bin;
    this.port = port;
  }

  /** Creates and starts a server; throws if the PostgreSQL binaries are missing. */
  public static PrivatePostgres start() throws IOException, InterruptedException {
    Path bin;
    try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      bin = versions.sorted(Comparator.reverseOrder()).findFirst().orElseThrow().resolve("bin");
    }
    Path home = Files.createTempDirectory("vigil-pg-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PrivatePostgres pg = new PrivatePostgres(home, bin, port);
    if (root()) {
      run(List.of("chown", "postgres", home.toString()));
    }
    pg.asOwner(
        bin.resolve("initdb") + " -D " + home.resolve("data") + " -U postgres -A trust --no-sync");
    pg.up();
    return pg;
  }

  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  public int port() {
    return port;
  }

  /** Starts the server and waits until it accepts connections. */
  public void up() throws IOException, InterruptedException {
    asOwner(
        bin.resolve("pg_ctl")
            + " -D "
            + home.resolve("data")
            + " -w -l "
            + home.resolve("pg.log")
            + " -o '-p "
            + port
            + " -c listen_addresses=127.0.0.1 -k "
            + home
            + " -c fsync=off' start");
  }

  /** Stops the server (fast: connections are closed at once) and waits until it is down. */
  public void down() throws IOException, InterruptedException {
    asOwner(bin.resolve("pg_ctl") + " -D " + home.resolve("data") + " -w -m fast stop");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      down();
    } catch (IllegalStateException ignored) {
      // already stopped
    }
    run(List.of("rm", "-rf", home.toString()));
  }

  private void asOwner(String command) throws IOException, InterruptedException {
    run(root() ? List.of("su", "postgres", "-c", command) : List.of("sh", "-c", command));
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
  }
}
