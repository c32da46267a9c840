package dev.vigil.ports;

/** How a failure reads in one line of a log, a timeline or an answer. */
public final class Failures {
  private Failures() {}

  /**
   * Its message, or its class where it has none (a bare NullPointerException would read "null").
   */
  public static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
