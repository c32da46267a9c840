package dev.vigil.runbook;

import dev.vigil.config.Pos;
import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Offline validation of runbook files, as {@code vigil validate} does it: the configured directory
 * plus any files or folders named, checked file by file and then for names used twice. Blocking.
 */
public final class RunbookCheck {
  private RunbookCheck() {}

  /**
   * Reads the runbooks; every problem goes to {@code problems}; returns the catalog that would
   * serve.
   */
  public static RunbookCatalog validate(
      VigilConfig.Runbooks config, List<Path> extra, Problems problems) {
    Set<Path> files = new LinkedHashSet<>();
    List<Path> roots = new ArrayList<>();
    roots.add(config.dir());
    roots.addAll(extra);
    for (Path root : roots) {
      try {
        if (Files.isDirectory(root)) {
          RunbookCatalog.files(root).forEach(f -> files.add(f.toAbsolutePath().normalize()));
        } else if (Files.isRegularFile(root)) {
          files.add(root.toAbsolutePath().normalize());
        } else if (root.equals(config.dir())) {
          problems.warning(
              Pos.of(label(root)),
              "runbook directory does not exist (runbooks.dir): no runbook will run");
        } else {
          problems.error(Pos.of(label(root)), "no such file or directory");
        }
      } catch (IOException e) {
        problems.error(Pos.of(label(root)), "cannot list directory: " + e.getMessage());
      }
    }
    RunbookReader reader = RunbookReader.of(config);
    RunbookCatalog catalog =
        RunbookCatalog.next(
            RunbookCatalog.empty(), RunbookCatalog.read(reader, files, RunbookCheck::label));
    for (RunbookCatalog.Entry e : catalog.entries()) {
      for (Problem p : e.errors()) {
        problems.error(p.pos(), p.message());
      }
    }
    return catalog;
  }

  /** The path as a person would type it: relative to the working directory when it is below it. */
  public static String label(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path cwd = Path.of("").toAbsolutePath();
    return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }
}
