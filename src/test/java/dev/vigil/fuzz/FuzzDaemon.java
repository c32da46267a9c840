package dev.vigil.fuzz;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.TestDaemon;
import dev.vigil.fake.NotifyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One daemon shared by all tries of a fuzz class (jqwik has no {@code @TempDir}): its own temp
 * folder with a real SQLite file, removed on close, and a capture of what it logs.
 */
final class FuzzDaemon implements AutoCloseable {
  final Path dir;
  final TestDaemon daemon;

  /**
   * What the daemon logs at WARN and above from its start to its end; tries check {@link
   * LogCapture#bugs()}.
   */
  final LogCapture log = new LogCapture(Level.WARN);

  private FuzzDaemon(Path dir, TestDaemon daemon) {
    this.dir = dir;
    this.daemon = daemon;
  }

  static FuzzDaemon start(String yaml) {
    return start(yaml, null);
  }

  /**
   * With {@code team} (see {@link NotifyConfig#write}), a teams.yaml with team eu on call all day.
   */
  static FuzzDaemon start(String yaml, String team) {
    try {
      Path dir = Files.createTempDirectory("vigil-fuzz-");
      if (team != null) {
        NotifyConfig.write(dir, team, yaml);
      }
      return new FuzzDaemon(dir, TestDaemon.start(dir, yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    log.close();
    daemon.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
