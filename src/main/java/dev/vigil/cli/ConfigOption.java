package dev.vigil.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command. */
public final class ConfigOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      defaultValue = "config/vigil.yaml",
      description = "The daemon config (default: ${DEFAULT-VALUE}).")
  public Path file;
}
