package dev.vigil.fuzz;

import dev.vigil.TestDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One daemon shared by all tries of a fuzz class (jqwik has no {@code @TempDir}): its own temp
 * folder with a real SQLite file, removed on close.
 */
final class FuzzDaemon implements AutoCloseable {
  final Path dir;
  final TestDaemon daemon;

  private FuzzDaemon(Path dir, TestDaemon daemon) {
    this.dir = dir;
    this.daemon = daemon;
  }

  static FuzzDaemon start(String yaml) {
    try {
      Path dir = Files.createTempDirectory("vigil-fuzz-");
      return new FuzzDaemon(dir, TestDaemon.start(dir, yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    daemon.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
