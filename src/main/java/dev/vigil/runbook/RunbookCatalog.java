package dev.vigil.runbook;

import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Every runbook file Vigil knows, at one instant: per file what serves (the last version that
 * validated) and the problems of the version on disk, if it was rejected. Immutable; a reload
 * builds a new catalog from the previous one and swaps it in whole, so readers never see half a
 * reload.
 */
public record RunbookCatalog(List<Entry> entries) {

  /**
   * One runbook file.
   *
   * @param name the name it declares (or its file name), for listing even when nothing serves
   * @param serving the runbook in use: the file on disk when it is valid, else the last good
   *     version
   * @param errors why the file on disk was rejected; empty when it serves as it is on disk
   */
  public record Entry(
      Path file, String label, String name, Optional<Runbook> serving, List<Problem> errors) {
    public Entry {
      errors = List.copyOf(errors);
    }

    public boolean valid() {
      return errors.isEmpty();
    }
  }

  /** What reading one file gave, before names are compared across files. */
  public record Read(
      Path file, String label, String name, Optional<Runbook> runbook, List<Problem> problems) {}

  public RunbookCatalog {
    entries = List.copyOf(entries);
  }

  public static RunbookCatalog empty() {
    return new RunbookCatalog(List.of());
  }

  /** The runbooks that serve, in file order. */
  public List<Runbook> runbooks() {
    return entries.stream().flatMap(e -> e.serving().stream()).toList();
  }

  public Optional<Runbook> byName(String name) {
    return runbooks().stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /**
   * The runbook for an incident: among those whose {@code match} (and {@code type}) hold for its
   * labels, the most specific (most matchers, a type counting as one), then the first by name; and
   * its mode for this incident after the {@code percent} rollout.
   */
  public Optional<Selection> select(Map<String, String> labels, String type, String incidentId) {
    return runbooks().stream()
        .filter(rb -> rb.matches(labels, type))
        .min(
            Comparator.comparingInt(
                    (Runbook rb) -> -(rb.match().size() + (rb.type().isPresent() ? 1 : 0)))
                .thenComparing(Runbook::name))
        .map(rb -> new Selection(rb, rb.rollout().modeFor(incidentId)));
  }

  public Optional<Entry> entry(Path file) {
    return entries.stream().filter(e -> e.file().equals(file)).findFirst();
  }

  /** Every problem of every file, sorted by file and line. */
  public List<Problem> problems() {
    Problems all = new Problems();
    entries.forEach(e -> e.errors().forEach(p -> all.error(p.pos(), p.message())));
    return all.sorted();
  }

  /**
   * The runbook files of a directory: {@code *.yaml} and {@code *.yml}, not hidden (editors' swap
   * and backup files are skipped), sorted by name. Blocking.
   */
  public static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(RunbookCatalog::isRunbookFile)
          .sorted(Comparator.comparing(Path::toString))
          .toList();
    }
  }

  public static boolean isRunbookFile(Path p) {
    String n = p.getFileName().toString();
    return !n.startsWith(".")
        && (n.endsWith(".yaml") || n.endsWith(".yml"))
        && Files.isRegularFile(p);
  }

  /** Reads each file with {@code reader}. Blocking. */
  public static List<Read> read(
      RunbookReader reader, Collection<Path> files, Function<Path, String> label) {
    List<Read> out = new ArrayList<>();
    for (Path f : files) {
      Problems p = new Problems();
      Optional<Runbook> rb = reader.read(f, label.apply(f), p);
      String name = rb.map(Runbook::name).orElseGet(() -> declaredName(f));
      out.add(new Read(f, label.apply(f), name, rb, p.errors()));
    }
    return out;
  }

  /**
   * The next catalog: valid files serve as they are now; an invalid file keeps serving its last
   * good version (from {@code previous}) and lists its errors; files not read are gone. When two
   * files claim one name, the file that served it before keeps it and the other is rejected; with
   * no such file, both are rejected.
   */
  public static RunbookCatalog next(RunbookCatalog previous, List<Read> reads) {
    Map<Path, Optional<Runbook>> candidate = new LinkedHashMap<>();
    Map<Path, List<Problem>> errors = new LinkedHashMap<>();
    for (Read r : reads) {
      errors.put(r.file(), new ArrayList<>(r.problems()));
      candidate.put(
          r.file(),
          r.runbook().isPresent() ? r.runbook() : previous.entry(r.file()).flatMap(Entry::serving));
    }
    Map<String, List<Read>> claims = new LinkedHashMap<>();
    for (Read r : reads) {
      candidate
          .get(r.file())
          .ifPresent(rb -> claims.computeIfAbsent(rb.name(), k -> new ArrayList<>()).add(r));
    }
    for (Map.Entry<String, List<Read>> c : claims.entrySet()) {
      if (c.getValue().size() < 2) {
        continue;
      }
      Optional<Path> holder =
          previous.runbooks().stream()
              .filter(rb -> rb.name().equals(c.getKey()))
              .map(Runbook::file)
              .filter(f -> c.getValue().stream().anyMatch(r -> r.file().equals(f)))
              .findFirst();
      for (Read r : c.getValue()) {
        if (holder.isPresent() && holder.get().equals(r.file())) {
          continue;
        }
        Runbook rb = candidate.get(r.file()).orElseThrow();
        List<String> others = c.getValue().stream().filter(o -> o != r).map(Read::label).toList();
        errors
            .get(r.file())
            .add(
                Problem.error(
                    rb.pos(),
                    (rb.pos().line() == 1 && rb.pos().col() == 1 ? "" : "name: ")
                        + "runbook \""
                        + c.getKey()
                        + "\" is also defined in "
                        + String.join(", ", others)));
        // fall back to this file's previous version only if that does not clash too
        Optional<Runbook> before =
            previous
                .entry(r.file())
                .flatMap(Entry::serving)
                .filter(p -> !p.name().equals(c.getKey()) && !claims.containsKey(p.name()));
        candidate.put(r.file(), before);
      }
    }
    List<Entry> out = new ArrayList<>();
    for (Read r : reads) {
      List<Problem> errs = errors.get(r.file());
      errs.sort(null);
      out.add(new Entry(r.file(), r.label(), r.name(), candidate.get(r.file()), errs));
    }
    return new RunbookCatalog(out);
  }

  /** A best guess at the name in a file that did not load, for listing; never fails. */
  static String declaredName(Path file) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("name:")) {
          String v =
              line.substring(5).replaceFirst("#.*$", "").trim().replaceAll("^[\"']|[\"']$", "");
          if (!v.isEmpty()) {
            return v;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable or not UTF-8: the file name will do, and the read problem is already reported
    }
    return RunbookReader.defaultName(file);
  }
}
