package dev.vigil.config;

import java.util.List;
import java.util.stream.Collectors;

/** A file (or set of files) that did not validate; the message lists every problem, one a line. */
public final class ConfigException extends Exception {
  private final transient List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
