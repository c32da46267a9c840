package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.vigil.TestDaemon;
import dev.vigil.TestStore;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite store holds incident data: the folder Vigil creates for it is 0700, and the database
 * file and the WAL and shared-memory files beside it are 0600, whatever the process's umask (022
 * here, which left them 0755 and 0644).
 */
class FileModesTest {
  @TempDir Path dir;

  @Test
  void theDatabaseItsWalAndShmAre0600InA0700Folder() throws Exception {
    assumeThat(TestStore.postgres()).as("SQLite files only").isFalse();
    assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      assertThat(
              d.post("/api/v1/alerts", "[{\"labels\": {\"alertname\": \"Modes\"}}]").statusCode())
          .isEqualTo(202);
      Path data = dir.resolve("data");
      assertThat(mode(data)).isEqualTo("rwx------");
      for (String name : new String[] {"vigil.db", "vigil.db-wal", "vigil.db-shm"}) {
        assertThat(data.resolve(name)).exists();
        assertThat(mode(data.resolve(name))).as(name).isEqualTo("rw-------");
      }
    }
  }

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
