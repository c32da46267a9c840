package dev.vigil.cli;

/**
 * The environment variables a command reads ({@code VIGIL_SERVER}, {@code VIGIL_API_TOKEN}, {@code
 * USER}). The root command provides it, so tests run commands with an environment of their own.
 */
public interface Environment {
  /** The variable's value, or null when it is not set. */
  String variable(String name);
}
