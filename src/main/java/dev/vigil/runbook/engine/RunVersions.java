package dev.vigil.runbook.engine;

import dev.vigil.config.Problems;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook version each run started with: a run keeps it through reloads and restarts. Known
 * versions are kept in memory; otherwise the registry's, or the stored source parsed again.
 */
final class RunVersions {
  private static final Logger LOG = LoggerFactory.getLogger(RunVersions.class);

  private final RunbookRegistry registry;
  private final RunbookReader reader;
  private final RunStore store;
  private final Clock clock;
  private final Map<String, Runbook> versions = new HashMap<>();

  RunVersions(RunbookRegistry registry, RunbookReader reader, RunStore store, Clock clock) {
    this.registry = registry;
    this.reader = reader;
    this.store = store;
    this.clock = clock;
  }

  void remember(Runbook rb) {
    versions.put(rb.version(), rb);
  }

  /**
   * The version a stored run started with; null when there is nothing left to run it with, and then
   * the run is stored failed (rather than left unfinished and resumed again at every renewal).
   */
  Runbook of(RunRecord rec) {
    Runbook rb = versions.get(rec.version());
    if (rb == null) {
      rb =
          registry
              .byName(rec.runbook())
              .filter(x -> x.version().equals(rec.version()))
              .orElse(null);
    }
    Problems problems = new Problems();
    if (rb == null && rec.source() != null) {
      rb =
          reader
              .parse(
                  rec.source().getBytes(StandardCharsets.UTF_8),
                  Path.of(rec.file()),
                  rec.file(),
                  problems)
              .orElse(null);
    }
    if (rb == null) {
      String error =
          "runbook "
              + rec.runbook()
              + " version "
              + rec.version()
              + (rec.source() == null
                  ? " is no longer loaded and its source was not stored"
                  : " no longer loads: " + problems);
      LOG.atError()
          .addKeyValue("run", rec.id().toString())
          .log("run " + rec.id() + " cannot resume: " + error);
      store.saveRun(
          rec.id(), RunStatus.FAILED, rec.startedAt(), clock.instant(), rec.deadline(), error);
      return null;
    }
    remember(rb);
    return rb;
  }
}
