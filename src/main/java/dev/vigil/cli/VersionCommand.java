package dev.vigil.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vigil version}: the version and the Java it runs on. It takes {@code --config} like every
 * offline command, so a wrapper that always passes it works, but does not read the file: the
 * version does not depend on it, and a broken config must not hide which version is installed.
 */
@Command(name = "version", description = "Print the version and build.")
public final class VersionCommand implements Callable<Integer> {
  @CommandLine.Mixin ConfigOption config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(line());
    return 0;
  }

  public static String version() {
    Properties p = new Properties();
    try (InputStream in =
        VersionCommand.class.getClassLoader().getResourceAsStream("vigil-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }

  static String line() {
    return "vigil "
        + version()
        + " (Java "
        + System.getProperty("java.version")
        + ", "
        + System.getProperty("os.name")
        + ")";
  }

  /** For {@code vigil --version}. */
  public static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {line()};
    }
  }
}
