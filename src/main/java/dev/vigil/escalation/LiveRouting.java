package dev.vigil.escalation;

import dev.vigil.classify.Classification;
import dev.vigil.config.DirectoryWatch;
import dev.vigil.config.Pos;
import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.oncall.Schedule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Routing} in force: teams.yaml and classification.yaml as last read without error.
 * Every component that triages, pages, digests or watches heartbeats reads it at each use (through
 * {@link #get} or the suppliers below) instead of keeping the Routing it was built with, so one
 * {@link #reload} changes them all at once.
 *
 * <p>A reload reads both files and swaps in the new Routing whole, or nothing: any error in either
 * file (and the deletion of a file that was loaded, see ADR 0100) keeps the last good Routing of
 * both, logs each problem as {@code file:line:col: message} and counts the rejected file in {@code
 * vigil_config_reload_errors_total{file}}. Reads are lock-free and safe on an event loop; {@link
 * #reload} reads files and must run on a worker. Reloads run one at a time.
 */
public final class LiveRouting implements Supplier<Routing>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveRouting.class);

  private final VigilConfig config;
  private final AtomicReference<Routing> current;
  private final Counter teamsErrors;
  private final Counter classificationErrors;
  private String lastRead =
      ""; // guarded by this: the files' fingerprint at the last reload (see watch)
  private ScheduledExecutorService worker; // guarded by this
  private DirectoryWatch watch; // guarded by this

  /**
   * What one reload did: the Routing serving after it, and the errors that kept the previous one.
   */
  public record Reloaded(Routing routing, List<Problem> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  public LiveRouting(VigilConfig config, Routing initial, MeterRegistry meters) {
    this.config = config;
    this.current = new AtomicReference<>(initial);
    this.teamsErrors = errors(meters, "teams");
    this.classificationErrors = errors(meters, "classification");
  }

  private static Counter errors(MeterRegistry meters, String file) {
    return Counter.builder("vigil.config.reload.errors")
        .tag("file", file)
        .description(
            "Reloads of teams.yaml or classification.yaml rejected (the last good teams and classification kept serving)")
        .register(meters);
  }

  /** The Routing in force now. */
  @Override
  public Routing get() {
    return current.get();
  }

  public TeamsFile teams() {
    return current.get().teams();
  }

  public Schedule schedule() {
    return current.get().teams().schedule();
  }

  public Classification classification() {
    return current.get().classification();
  }

  /**
   * Reads both files again and, if neither has an error, puts the result in force; {@code cause} is
   * logged. Blocking: call on a worker, never on an event loop.
   */
  public synchronized Reloaded reload(String cause) {
    lastRead = fingerprint();
    Routing before = current.get();
    Problems problems = new Problems();
    Optional<Routing> read = Routing.read(config, problems);
    String teamsLabel = Routing.label(config, config.teams());
    String classificationLabel = Routing.label(config, config.classification());
    if (read.isPresent() && before.teamsConfigured() && !read.get().teamsConfigured()) {
      problems.error(
          Pos.of(teamsLabel),
          "the file is gone; a reload does not take a deletion (nobody would be paged):"
              + " restore it, or restart Vigil to run without teams");
    }
    if (read.isPresent()
        && before.classificationConfigured()
        && !read.get().classificationConfigured()) {
      problems.error(
          Pos.of(classificationLabel),
          "the file is gone; a reload does not take a deletion (every rule would be"
              + " dropped): restore it, or restart Vigil to run without classification");
    }
    if (problems.hasErrors()) {
      List<Problem> errors = problems.errors();
      boolean inClassification =
          errors.stream().anyMatch(p -> p.pos().file().equals(classificationLabel));
      boolean inTeams = errors.stream().anyMatch(p -> !p.pos().file().equals(classificationLabel));
      if (inTeams) {
        teamsErrors.increment();
      }
      if (inClassification) {
        classificationErrors.increment();
      }
      log.atError()
          .log(
              "routing: reload ("
                  + cause
                  + ") rejected ("
                  + errors.size()
                  + (errors.size() == 1 ? " problem" : " problems")
                  + "); the last good teams and classification keep serving: "
                  + String.join("; ", errors.stream().map(Problem::toString).toList()));
      return new Reloaded(before, errors);
    }
    Routing next = read.orElseThrow(); // read is empty only with an error
    current.set(next);
    log.atInfo().log("routing: reloaded (" + cause + "): " + describe(before, next));
    return new Reloaded(next, List.of());
  }

  /**
   * Watches the folders of teams.yaml and classification.yaml: once a change settles, and if either
   * file's bytes differ from the last reload's (or the start's), both are reloaded as by {@link
   * #reload}, and {@code afterSwap} runs when the new routing took effect. So every replica picks
   * up a deployed edit on its own, as with runbooks. Blocking (reads both files): call on a worker.
   * Idempotent.
   *
   * @throws java.io.IOException when a folder cannot be watched (edits then need SIGHUP or POST
   *     /-/reload)
   */
  public synchronized void watch(Duration debounce, Runnable afterSwap) throws IOException {
    if (watch != null) {
      return;
    }
    lastRead = fingerprint();
    worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vigil-routing");
              t.setDaemon(true);
              return t;
            });
    try {
      watch =
          DirectoryWatch.start(
              "routing",
              List.of(
                  config.teams().toAbsolutePath().getParent(),
                  config.classification().toAbsolutePath().getParent()),
              worker,
              debounce,
              () -> {
                synchronized (this) {
                  if (lastRead.equals(fingerprint())) {
                    return; // another file in the folder changed (vigil.yaml, an editor's swap
                    // file)
                  }
                }
                if (reload("file change").ok()) {
                  afterSwap.run();
                }
              });
    } catch (IOException | RuntimeException e) {
      worker.shutdownNow();
      worker = null;
      throw e;
    }
  }

  /** Both files' contents, as a digest ("absent" for a missing one). */
  private String fingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path file : List.of(config.teams(), config.classification())) {
        try {
          sha.update(Files.readAllBytes(file));
        } catch (IOException e) {
          sha.update(("absent:" + e.getClass().getSimpleName()).getBytes(StandardCharsets.UTF_8));
        }
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    if (watch != null) {
      watch.close();
      worker.shutdownNow();
      watch = null;
    }
  }

  /**
   * What a reload changed, in counts: teams, escalation policies, classification rules, heartbeats.
   */
  static String describe(Routing before, Routing after) {
    return (after.teamsConfigured() ? "" : "no teams.yaml, ")
        + count(
            "team",
            before.teams().schedule().teams().size(),
            after.teams().schedule().teams().size())
        + ", "
        + count(
            "escalation policy",
            before.teams().escalation().policies().size(),
            after.teams().escalation().policies().size())
        + ", "
        + count(
            "classification rule",
            before.classification().rules().size(),
            after.classification().rules().size())
        + ", "
        + count(
            "heartbeat",
            before.classification().heartbeats().size(),
            after.classification().heartbeats().size());
  }

  private static String count(String noun, int before, int after) {
    String n = after + " " + noun + (after == 1 ? "" : noun.endsWith("y") ? "" : "s");
    if (after != 1 && noun.endsWith("y")) {
      n = after + " " + noun.substring(0, noun.length() - 1) + "ies";
    }
    return before == after ? n : n + " (was " + before + ")";
  }
}
