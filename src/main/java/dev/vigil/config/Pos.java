package dev.vigil.config;

/**
 * A place in a source file: 1-based line and column, as editors show them.
 *
 * <p>Every value read from YAML keeps its {@code Pos} so that a problem found later (a bad matcher,
 * a cycle in a runbook) can still point at the exact spot.
 */
public record Pos(String file, int line, int col) {
  public static Pos of(String file) {
    return new Pos(file, 1, 1);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + col;
  }
}
