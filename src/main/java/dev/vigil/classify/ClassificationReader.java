package dev.vigil.classify;

import dev.vigil.alert.Matcher;
import dev.vigil.config.Durations;
import dev.vigil.config.Fields;
import dev.vigil.config.Interpolator;
import dev.vigil.config.Problems;
import dev.vigil.config.Yaml;
import dev.vigil.config.YamlNode;
import dev.vigil.incident.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads config/classification.yaml into a {@link Classification}, reporting every problem as {@code
 * file:line:col: path: message} (bad matchers, unknown severities, rules that do nothing).
 *
 * <p>Blocking (file I/O): call from {@code main} or a worker, never on an event loop.
 */
public final class ClassificationReader {
  private ClassificationReader() {}

  public static Optional<Classification> read(
      Path file, String label, Interpolator interpolator, Problems problems) {
    return Yaml.load(file, label, problems, interpolator).map(ClassificationReader::parse);
  }

  public static Classification parse(YamlNode root) {
    Fields f = root.fields("rules", "default", "heartbeats");
    List<Rule> rules = new ArrayList<>();
    for (YamlNode r : f.items("rules")) {
      Fields rf = r.fields("match", "severity", "type", "drop");
      List<Matcher> match =
          rf.required("match").map(ClassificationReader::matchers).orElse(List.of());
      Optional<Severity> severity = rf.get("severity").flatMap(ClassificationReader::severity);
      Optional<String> type = rf.string("type");
      boolean drop = rf.bool("drop", false);
      if (!rf.has("severity") && !rf.has("type") && !rf.has("drop")) {
        r.error("a rule must set severity, type or drop: true");
      }
      rules.add(new Rule(match, severity, type, drop));
    }
    Severity defaultSeverity = Severity.WARNING;
    String defaultType = "unknown";
    Optional<Fields> d = f.fields("default", "severity", "type");
    if (d.isPresent()) {
      defaultSeverity =
          d.get().get("severity").flatMap(ClassificationReader::severity).orElse(Severity.WARNING);
      defaultType = d.get().string("type", "unknown");
    }
    List<Heartbeat> heartbeats = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (YamlNode h : f.items("heartbeats")) {
      Fields hf = h.fields("name", "match", "missingAfter", "severity", "summary");
      List<Matcher> match =
          hf.required("match").map(ClassificationReader::matchers).orElse(List.of());
      Duration missingAfter =
          hf.get("missingAfter").flatMap(YamlNode::duration).orElse(Duration.ofMinutes(10));
      if (missingAfter.compareTo(Duration.ofSeconds(1)) < 0) {
        hf.get("missingAfter")
            .orElse(h)
            .error("missingAfter must be at least 1s, got " + Durations.format(missingAfter));
      }
      Severity severity =
          hf.get("severity").flatMap(ClassificationReader::severity).orElse(Severity.CRITICAL);
      String name =
          hf.string(
              "name",
              match.stream()
                  .map(Matcher::toString)
                  .reduce((a, b) -> a + "," + b)
                  .orElse("heartbeat"));
      if (names.contains(name)) {
        h.error("two heartbeats are named \"" + name + "\"; give each a distinct name");
      }
      names.add(name);
      String summary =
          hf.string(
              "summary", "Heartbeat " + name + " missing for " + Durations.format(missingAfter));
      heartbeats.add(new Heartbeat(name, match, missingAfter, severity, summary));
    }
    return new Classification(rules, defaultSeverity, defaultType, heartbeats);
  }

  private static List<Matcher> matchers(YamlNode node) {
    if (!node.isList()) {
      node.error("match must be a list of matchers, e.g. [ 'alertname = \"Watchdog\"' ]");
      return List.of();
    }
    return Matcher.readAll(node);
  }

  private static Optional<Severity> severity(YamlNode node) {
    return node.oneOf(Severity.NAMES).flatMap(Severity::parse);
  }
}
