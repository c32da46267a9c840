package dev.vigil.runbook;

import dev.vigil.config.DirectoryWatch;
import dev.vigil.config.Pos;
import dev.vigil.config.Problem;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.Incident;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbooks in force: which runbook an incident gets, in which mode, and live reload of the
 * runbook directory.
 *
 * <p>Reads ({@link #select}, {@link #catalog}) are lock-free and safe on an event loop: they see
 * one immutable {@link RunbookCatalog}. Reloads read files on the registry's own worker thread,
 * never on an event loop, one at a time, and swap the new catalog in whole. A file that no longer
 * validates keeps serving its last good version; its errors are listed by {@link #catalog()},
 * logged once per edit and counted in {@code vigil_runbook_reload_errors_total}.
 */
public final class RunbookRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunbookRegistry.class);

  /** Editors write a file in several steps (truncate, write, rename); wait for them to settle. */
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(250);

  private final Path dir;
  private final RunbookReader reader;
  private final Duration debounce;
  private final Counter reloadErrors;
  private final AtomicReference<RunbookCatalog> catalog =
      new AtomicReference<>(RunbookCatalog.empty());
  private final ScheduledExecutorService worker;
  private final Map<Path, String> lastRejected = new HashMap<>(); // only touched on the worker
  private DirectoryWatch watch; // guarded by this

  /** What one reload did. */
  public record ReloadResult(RunbookCatalog catalog, List<Problem> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  public RunbookRegistry(VigilConfig.Runbooks config, MeterRegistry meters) {
    this(config, meters, DEFAULT_DEBOUNCE);
  }

  public RunbookRegistry(VigilConfig.Runbooks config, MeterRegistry meters, Duration debounce) {
    this(RunbookReader.of(config), config, meters, debounce);
  }

  /** Reading the files with {@code reader} (its step kinds and allowlists). */
  public RunbookRegistry(RunbookReader reader, VigilConfig.Runbooks config, MeterRegistry meters) {
    this(reader, config, meters, DEFAULT_DEBOUNCE);
  }

  private RunbookRegistry(
      RunbookReader reader, VigilConfig.Runbooks config, MeterRegistry meters, Duration debounce) {
    this.dir = config.dir();
    this.reader = reader;
    this.debounce = debounce;
    this.reloadErrors =
        Counter.builder("vigil.runbook.reload.errors")
            .description(
                "Runbook file versions rejected by a reload (the last good version kept serving)")
            .register(meters);
    Gauge.builder("vigil.runbooks.serving", catalog, c -> c.get().runbooks().size())
        .description("Runbooks in force")
        .register(meters);
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vigil-runbooks");
              t.setDaemon(true);
              return t;
            });
  }

  /** The catalog in force now. */
  public RunbookCatalog catalog() {
    return catalog.get();
  }

  public Optional<Runbook> byName(String name) {
    return catalog.get().byName(name);
  }

  /**
   * The runbook for an incident: among those whose {@code match} (and {@code type}) hold for its
   * labels, the most specific (most matchers, a type counting as one), then the first by name; and
   * its mode for this incident after the {@code percent} rollout.
   */
  public Optional<Selection> select(Incident incident) {
    return catalog.get().select(incident.labels(), incident.type(), incident.id().toString());
  }

  /** Reloads the directory now; completes when the new catalog is in force. */
  public Future<ReloadResult> reload() {
    return reload("request");
  }

  /**
   * Reloads the directory now (for SIGHUP and {@code POST /-/reload}); {@code cause} is logged.
   * Completes when the new catalog is in force.
   */
  public Future<ReloadResult> reload(String cause) {
    CompletableFuture<ReloadResult> done = new CompletableFuture<>();
    try {
      worker.execute(
          () -> {
            try {
              ReloadResult r = reloadOnWorker();
              LOG.atInfo().log(
                  "runbooks reloaded ("
                      + cause
                      + "): "
                      + r.catalog().runbooks().size()
                      + " serving, "
                      + r.errors().size()
                      + " problems");
              done.complete(r);
            } catch (RuntimeException e) {
              done.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(new IllegalStateException("runbook registry is closed"));
    }
    return Future.fromCompletionStage(done);
  }

  /**
   * Loads the directory once, blocking the caller until it is done: for start-up and tests, before
   * any event loop depends on it. Not for event-loop threads.
   */
  public ReloadResult load() {
    try {
      return worker.submit(this::reloadOnWorker).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading runbooks", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("loading runbooks failed: " + e.getCause(), e.getCause());
    }
  }

  private ReloadResult reloadOnWorker() {
    List<Path> files;
    try {
      files = Files.isDirectory(dir) ? RunbookCatalog.files(dir) : List.of();
      if (!Files.isDirectory(dir)) {
        LOG.atWarn().log("runbook directory " + dir + " does not exist; no runbooks are loaded");
      }
    } catch (IOException e) {
      LOG.atError()
          .log(
              "runbooks: cannot list "
                  + dir
                  + ": "
                  + e.getMessage()
                  + "; the loaded runbooks keep serving");
      return new ReloadResult(
          catalog.get(),
          List.of(
              Problem.error(Pos.of(dir.toString()), "cannot list directory: " + e.getMessage())));
    }
    RunbookCatalog previous = catalog.get();
    RunbookCatalog next =
        RunbookCatalog.next(previous, RunbookCatalog.read(reader, files, this::label));
    catalog.set(next);
    report(previous, next);
    return new ReloadResult(next, next.problems());
  }

  private void report(RunbookCatalog previous, RunbookCatalog next) {
    lastRejected
        .keySet()
        .retainAll(next.entries().stream().map(RunbookCatalog.Entry::file).toList());
    for (RunbookCatalog.Entry e : next.entries()) {
      Optional<Runbook> before = previous.entry(e.file()).flatMap(RunbookCatalog.Entry::serving);
      if (!e.valid()) {
        String fingerprint = e.errors().toString();
        if (!fingerprint.equals(lastRejected.put(e.file(), fingerprint))) {
          reloadErrors.increment();
          LOG.atError()
              .addKeyValue("runbook", e.name())
              .log(
                  "runbook "
                      + e.label()
                      + " rejected ("
                      + e.errors().size()
                      + (e.errors().size() == 1 ? " problem" : " problems")
                      + e.serving()
                          .map(r -> "; version " + r.version() + " keeps serving")
                          .orElse("; nothing serves it")
                      + "): "
                      + String.join("; ", e.errors().stream().map(Problem::toString).toList()));
        }
        continue;
      }
      lastRejected.remove(e.file());
      Runbook now = e.serving().orElseThrow();
      if (before.isEmpty() || !before.get().version().equals(now.version())) {
        LOG.atInfo()
            .addKeyValue("runbook", now.name())
            .log(
                "runbook "
                    + now.name()
                    + " loaded from "
                    + e.label()
                    + ", version "
                    + now.version());
      }
    }
    for (RunbookCatalog.Entry e : previous.entries()) {
      if (next.entry(e.file()).isEmpty()) {
        LOG.atInfo()
            .addKeyValue("runbook", e.name())
            .log("runbook " + e.name() + " removed: " + e.label() + " was deleted");
      }
    }
  }

  private String label(Path file) {
    Path name = dir.getFileName();
    return (name == null ? "" : name + "/") + file.getFileName();
  }

  /**
   * Watches the runbook directory and reloads, debounced, after files change (see {@link
   * DirectoryWatch}); reloads run on the registry's worker. Idempotent.
   */
  public synchronized void watch() throws IOException {
    if (watch == null) {
      watch =
          DirectoryWatch.start("runbooks", List.of(dir), worker, debounce, this::reloadOnWorker);
    }
  }

  @Override
  public synchronized void close() {
    if (watch != null) {
      watch.close();
    }
    worker.shutdownNow();
  }
}
