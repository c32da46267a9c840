package dev.vigil.store;

import dev.vigil.ports.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process per SQLite store: an exclusive lock on {@code <file>.lock}, held from open to close
 * (ADR 0151). The writer keeps part of what is stored in memory (the identity of new alerts, the
 * memory of repeats), so a second process on the same file would store the same alerts again and
 * page for the same incidents twice. The operating system drops the lock when the process ends,
 * kill -9 included, so a crash never leaves the store locked. The lock is on a file of its own:
 * SQLite locks {@code vigil.db} with the same kind of lock, which a process loses when it closes
 * any descriptor of that file.
 */
final class StoreLock {
  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of the store at {@code file}, writing this process's id into the lock file.
   * Fails with {@link StoreException}, naming the file and the holder's process id, when another
   * process (or another store in this one) holds it.
   */
  static StoreLock acquire(Path file) {
    Path path = Path.of(file + ".lock");
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StoreException("store: cannot open " + path + ": " + e.getMessage(), e);
    }
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this process has the store open already
      }
      if (lock == null) {
        String holder = holder(path);
        channel.close();
        throw new StoreException(
            "store: "
                + file
                + " is in use by another Vigil process"
                + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                + ", which holds "
                + path
                + ". One process per SQLite store: stop the other one, or give this one a store"
                + " of its own (store.url); several replicas need PostgreSQL (docs/ha.md)",
            null);
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      return new StoreLock(channel, lock);
    } catch (IOException e) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the first failure is the one to report
      }
      throw new StoreException("store: cannot lock " + path + ": " + e.getMessage(), e);
    }
  }

  /** The process id written in the lock file, or empty when it cannot be read. */
  private static String holder(Path path) {
    try {
      return Files.readString(path, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      return "";
    }
  }

  /** Lets the lock go (the file stays: removing it could race the next holder). */
  void release() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the channel is closed all the same, and with it the lock
    }
  }
}
