package dev.vigil.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem found in a set of input files, so that they are all reported at once
 * instead of one per attempt. Not thread-safe: one validation pass owns one instance.
 */
public final class Problems {
  private final List<Problem> list = new ArrayList<>();

  public void error(Pos pos, String message) {
    list.add(Problem.error(pos, message));
  }

  public void warning(Pos pos, String message) {
    list.add(new Problem(pos, message, Problem.Severity.WARNING));
  }

  public void addAll(Problems other) {
    list.addAll(other.list);
  }

  public boolean hasErrors() {
    return list.stream().anyMatch(Problem::isError);
  }

  /** All problems, sorted by file, line and column. */
  public List<Problem> sorted() {
    List<Problem> copy = new ArrayList<>(list);
    copy.sort(null);
    return copy;
  }

  public List<Problem> errors() {
    return sorted().stream().filter(Problem::isError).toList();
  }

  /** Throws a {@link ConfigException} carrying every error, if there is at least one. */
  public void throwIfErrors() throws ConfigException {
    if (hasErrors()) {
      throw new ConfigException(errors());
    }
  }
}
