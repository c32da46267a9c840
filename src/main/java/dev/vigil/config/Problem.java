package dev.vigil.config;

import java.util.Comparator;

/** One thing wrong with an input file, printed as {@code file:line:col: message}. */
public record Problem(Pos pos, String message, Severity severity) implements Comparable<Problem> {

  /** Errors reject the file; warnings are printed and the file is used. */
  public enum Severity {
    ERROR,
    WARNING
  }

  private static final Comparator<Problem> ORDER =
      Comparator.comparing((Problem p) -> p.pos.file())
          .thenComparingInt(p -> p.pos.line())
          .thenComparingInt(p -> p.pos.col())
          .thenComparing(Problem::message);

  public static Problem error(Pos pos, String message) {
    return new Problem(pos, message, Severity.ERROR);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  @Override
  public int compareTo(Problem o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return pos + ": " + (severity == Severity.WARNING ? "warning: " : "") + message;
  }
}
