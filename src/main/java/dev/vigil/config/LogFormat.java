package dev.vigil.config;

import java.util.Locale;

/** How log lines are written ({@code log.format} in vigil.yaml). */
public enum LogFormat {
  /** Text when standard output is a terminal, JSON otherwise. */
  AUTO,
  /** One line per event: time, level, message, then {@code key=value} pairs (logfmt quoting). */
  TEXT,
  /** One JSON object per line, with an ISO-8601 {@code time} and every key at the top level. */
  JSON;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
