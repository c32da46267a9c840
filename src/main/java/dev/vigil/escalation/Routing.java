package dev.vigil.escalation;

import dev.vigil.classify.Classification;
import dev.vigil.classify.ClassificationReader;
import dev.vigil.config.Interpolator;
import dev.vigil.config.Pos;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.oncall.CoverageLint;
import dev.vigil.oncall.Overlap;
import dev.vigil.oncall.Schedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who gets an alert: classification.yaml (severity, type, heartbeats) and teams.yaml (coverage,
 * escalation), read together from the paths vigil.yaml names.
 *
 * <p>A file that does not exist at its default path means "not configured": no rules (severity from
 * the alert's label), no teams (nobody is paged; incidents are recorded). A file named explicitly
 * in vigil.yaml must exist (ConfigLoader reports it). Blocking: call from {@code main} or a worker.
 */
public record Routing(
    TeamsFile teams,
    Classification classification,
    boolean teamsConfigured,
    boolean classificationConfigured,
    String teamsLabel) {

  public static final TeamsFile NO_TEAMS =
      new TeamsFile(
          new Schedule(List.of(), Overlap.FIRST, Optional.empty()),
          false,
          new EscalationRules(Map.of(), Map.of(), 0, Set.of()));

  /**
   * Reads both files; every problem goes to {@code problems}. Empty only when a file could not be
   * parsed at all.
   */
  public static Optional<Routing> read(VigilConfig config, Problems problems) {
    Path teamsFile = config.teams();
    Path classificationFile = config.classification();
    TeamsFile teams = NO_TEAMS;
    boolean teamsConfigured = Files.exists(teamsFile);
    if (teamsConfigured) {
      Optional<TeamsFile> t =
          TeamsReader.read(
              teamsFile,
              label(config, teamsFile),
              Interpolator.system(teamsFile.getParent()),
              problems);
      if (t.isEmpty()) {
        return Optional.empty();
      }
      teams = t.get();
    }
    Classification classification = Classification.EMPTY;
    boolean classificationConfigured = Files.exists(classificationFile);
    if (classificationConfigured) {
      Optional<Classification> c =
          ClassificationReader.read(
              classificationFile,
              label(config, classificationFile),
              Interpolator.system(classificationFile.getParent()),
              problems);
      if (c.isEmpty()) {
        return Optional.empty();
      }
      classification = c.get();
    }
    return Optional.of(
        new Routing(
            teams,
            classification,
            teamsConfigured,
            classificationConfigured,
            label(config, teamsFile)));
  }

  /**
   * Adds the coverage lint of the next eight weeks from {@code from} as warnings: every span no
   * team covers and every overlap (see {@link CoverageLint}). Nothing when teams.yaml is absent.
   */
  public void lint(Instant from, Problems problems) {
    if (teamsConfigured && !teams.schedule().teams().isEmpty()) {
      CoverageLint.report(teams.schedule(), from, Pos.of(teamsLabel), problems);
    }
  }

  /**
   * The path as the operator would write it: relative to the working folder when it is under it.
   */
  static String label(VigilConfig config, Path file) {
    Path cwd = Path.of("").toAbsolutePath();
    return file.startsWith(cwd) ? cwd.relativize(file).toString() : file.toString();
  }
}
