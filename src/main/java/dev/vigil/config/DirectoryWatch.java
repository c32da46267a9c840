package dev.vigil.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches directories and runs {@code onChange} once things settle: {@code debounce} after the last
 * change in any of them (editors write a file in several steps; Kubernetes swaps a ConfigMap's
 * {@code ..data} link). Any entry created, changed or deleted counts, since a link swap names no
 * watched file; {@code onChange} decides whether anything it reads changed. The watch blocks on its
 * own daemon thread; {@code onChange} runs on {@code worker}, which must be single-threaded.
 */
public final class DirectoryWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatch.class);

  private final WatchService watcher;
  private final Thread thread;
  private final ScheduledExecutorService worker;
  private final Duration debounce;
  private final Runnable onChange;
  private ScheduledFuture<?> pending; // only touched on the worker

  private DirectoryWatch(
      String name,
      Collection<Path> dirs,
      ScheduledExecutorService worker,
      Duration debounce,
      Runnable onChange)
      throws IOException {
    this.worker = worker;
    this.debounce = debounce;
    this.onChange = onChange;
    this.watcher = FileSystems.getDefault().newWatchService();
    try {
      for (Path dir : new LinkedHashSet<>(dirs)) {
        dir.register(
            watcher,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    } catch (IOException | RuntimeException e) {
      watcher.close();
      throw e;
    }
    this.thread = new Thread(this::take, "vigil-watch-" + name);
    thread.setDaemon(true);
  }

  /**
   * Starts watching {@code dirs} (duplicates are watched once).
   *
   * @param name names the thread and the log lines, e.g. {@code runbooks}
   * @throws IOException when a directory cannot be watched (it does not exist, or no watches are
   *     left)
   */
  public static DirectoryWatch start(
      String name,
      Collection<Path> dirs,
      ScheduledExecutorService worker,
      Duration debounce,
      Runnable onChange)
      throws IOException {
    DirectoryWatch w = new DirectoryWatch(name, dirs, worker, debounce, onChange);
    w.thread.start();
    return w;
  }

  private void take() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        key.pollEvents();
        worker.execute(this::schedule);
        if (!key.reset()) {
          LOG.atWarn()
              .log(
                  "watched directory "
                      + key.watchable()
                      + " is gone: no longer watching it; SIGHUP or POST /-/reload "
                      + "reload once it is back");
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closing
    }
  }

  private void schedule() {
    if (pending != null) {
      pending.cancel(false);
    }
    pending =
        worker.schedule(
            () -> {
              try {
                onChange.run();
              } catch (RuntimeException e) {
                LOG.atError().setCause(e).log("reload after a file change failed: " + e);
              }
            },
            debounce.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    try {
      watcher.close();
    } catch (IOException e) {
      LOG.atWarn().log("closing a directory watch: " + e.getMessage());
    }
    thread.interrupt();
  }
}
