package dev.vigil.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;

/**
 * A consistent copy of a SQLite store taken while the daemon writes to it, with SQLite's online
 * backup API, then checked.
 *
 * <p>The copy is made in one backup step on a read-only connection of its own: the step holds one
 * read transaction, so it copies one committed state of the file, and WAL lets the daemon's writer
 * commit beside it the whole time (its commits go to the WAL, which cannot be checkpointed past the
 * copy's snapshot until the copy ends). Copying in many small steps instead would restart from the
 * first page whenever the daemon commits between two steps, which under steady ingest is always.
 *
 * <p>The copy is written to a hidden file beside the target, created {@code 0600} like the store,
 * synced, opened again and checked ({@code PRAGMA integrity_check}, incidents and alerts counted),
 * and only then renamed to the target: a failed or interrupted backup never leaves a half-written
 * file under the target's name nor destroys an earlier backup there. Blocking: call it from a
 * thread that may block (the command line), never from an event loop.
 */
public final class SqliteBackup {
  private SqliteBackup() {}

  /** A backup that could not be made, or was refused; the message says what, where and why. */
  public static final class Failed extends Exception {
    public Failed(String message) {
      super(message);
    }

    Failed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * A checked copy.
   *
   * @param took how long the copy itself took (the read transaction on the store)
   * @param checked how long the check of the copy took (the store is not read meanwhile)
   */
  public record Copy(
      Path file, long incidents, long alerts, long bytes, Duration took, Duration checked) {}

  /**
   * Retries of a backup step that found the store busy, 100 ms apart, on top of {@code
   * busyTimeout}.
   */
  private static final int BUSY_RETRIES = 50;

  /**
   * Copies the store {@code store} to {@code target} and checks the copy.
   *
   * @param replace replace {@code target} if it exists (never when it is the store or one of its
   *     files)
   * @param busyTimeout how long to wait when SQLite reports the store busy
   * @throws Failed when the store is missing or not SQLite, the target's folder is missing, the
   *     target exists and {@code replace} is false, the target is the store, or the copy fails its
   *     check
   */
  public static Copy copy(Path store, Path target, boolean replace, Duration busyTimeout)
      throws Failed {
    Path source = store.toAbsolutePath().normalize();
    Path to = target.toAbsolutePath().normalize();
    if (!Files.isRegularFile(source)) {
      throw new Failed(
          "no SQLite store at " + source + ": nothing to back up (is store.url the daemon's?)");
    }
    Path folder = to.getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new Failed(
          "cannot write "
              + target
              + ": folder "
              + (folder == null ? "/" : folder)
              + " does not exist");
    }
    if (Files.isDirectory(to)) {
      throw new Failed(
          "cannot write "
              + target
              + ": it is a folder; name the backup file, e.g. "
              + to.resolve("vigil-backup.db"));
    }
    refuseTheStoreItself(source, to, target);
    if (!replace && Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      throw new Failed(target + " already exists; use --force to replace it");
    }
    Path partial;
    try {
      partial =
          FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
              ? Files.createTempFile(
                  folder,
                  "." + to.getFileName() + ".",
                  ".partial",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createTempFile(folder, "." + to.getFileName() + ".", ".partial");
    } catch (IOException e) {
      throw new Failed(
          "cannot write in "
              + folder
              + ": "
              + (e instanceof AccessDeniedException
                  ? "permission denied"
                  : e.getClass().getSimpleName() + " " + e.getMessage()),
          e);
    }
    boolean done = false;
    try {
      Duration took = backup(source, partial, busyTimeout);
      sync(partial);
      long checkStart = System.nanoTime();
      long[] counts = check(partial, target);
      Duration checked = Duration.ofNanos(System.nanoTime() - checkStart);
      move(partial, to, replace, target);
      done = true;
      return new Copy(to, counts[0], counts[1], size(to), took, checked);
    } finally {
      if (!done) {
        for (String suffix : new String[] {"", "-journal", "-wal", "-shm"}) {
          try {
            Files.deleteIfExists(Path.of(partial + suffix));
          } catch (IOException ignored) {
            // a leftover hidden .partial file; the error that brought us here is what the operator
            // needs
          }
        }
      }
    }
  }

  /**
   * Neither the store nor its WAL, shared-memory or journal file may be the target, even with
   * --force.
   */
  private static void refuseTheStoreItself(Path source, Path to, Path target) throws Failed {
    Path real;
    Path targetReal;
    try {
      real = source.toRealPath();
      targetReal = to.getParent().toRealPath().resolve(to.getFileName());
    } catch (IOException e) {
      throw new Failed("cannot resolve " + target + ": " + e.getMessage(), e);
    }
    for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
      if (targetReal.equals(Path.of(real + suffix))) {
        throw new Failed(
            "refusing to write the backup over "
                + (suffix.isEmpty()
                    ? "the store itself"
                    : "the store's " + suffix.substring(1) + " file")
                + " ("
                + real
                + suffix
                + "); name another file");
      }
    }
  }

  private static Duration backup(Path source, Path partial, Duration busyTimeout) throws Failed {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
    // read-only: the backup never writes the store, nor checkpoints it when it is the last
    // connection
    config.setReadOnly(true);
    try (Connection c = config.createConnection("jdbc:sqlite:" + source)) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
        rs.next(); // SQLite reads the header here: a file that is not a database fails with
        // SQLite's reason
      }
      long start = System.nanoTime();
      // one step (-1 pages): the whole copy in one read transaction, see the class comment
      int rc =
          ((SQLiteConnection) c)
              .getDatabase()
              .backup("main", partial.toString(), null, 100, BUSY_RETRIES, -1);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (rc != 0) {
        throw new Failed("backup of " + source + " failed: " + SQLiteErrorCode.getErrorCode(rc));
      }
      return took;
    } catch (SQLException e) {
      throw new Failed("backup of " + source + " failed: " + e.getMessage(), e);
    }
  }

  /** SQLite does not sync the backup's file for us the way a commit would. */
  private static void sync(Path file) throws Failed {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    } catch (IOException e) {
      throw new Failed("cannot sync " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens the copy as the daemon would, checks every page and index, and counts incidents and
   * alerts.
   */
  private static long[] check(Path copy, Path target) throws Failed {
    SQLiteConfig config = new SQLiteConfig();
    try (Connection c = config.createConnection("jdbc:sqlite:" + copy);
        Statement st = c.createStatement()) {
      List<String> problems = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
        while (rs.next()) {
          problems.add(rs.getString(1));
        }
      }
      if (!problems.equals(List.of("ok"))) {
        throw new Failed(
            "the copy for "
                + target
                + " fails SQLite's integrity check: "
                + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                + (problems.size() > 5 ? "; ..." : ""));
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('incidents', 'alerts')")) {
        if (!rs.next() || rs.getInt(1) != 2) {
          throw new Failed(
              "the copy for "
                  + target
                  + " has no incidents and alerts tables: the file store.url names is not a Vigil store");
        }
      }
      return new long[] {count(st, "incidents"), count(st, "alerts")};
    } catch (SQLException e) {
      throw new Failed("cannot open the copy for " + target + " to check it: " + e.getMessage(), e);
    }
  }

  private static long count(Statement st, String table) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Renames the checked copy to the target in the same folder (atomic), then syncs the folder so
   * the name survives a power cut. Without {@code replace} a target that appeared meanwhile is
   * kept.
   */
  private static void move(Path partial, Path to, boolean replace, Path target) throws Failed {
    try {
      if (replace) {
        Files.move(
            partial, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(partial, to);
      }
    } catch (FileAlreadyExistsException e) {
      throw new Failed(target + " already exists; use --force to replace it", e);
    } catch (IOException e) {
      throw new Failed("cannot rename the copy to " + target + ": " + e.getMessage(), e);
    }
    try (FileChannel dir = FileChannel.open(to.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // not every file system lets a folder be synced; the copy itself is synced
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }
}
