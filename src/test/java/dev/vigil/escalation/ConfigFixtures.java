package dev.vigil.escalation;

import dev.vigil.config.Interpolator;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/** Fixture files under src/test/resources/config, with the label problems are reported against. */
public final class ConfigFixtures {
  private ConfigFixtures() {}

  public static Path path(String name) {
    try {
      return Path.of(ConfigFixtures.class.getClassLoader().getResource("config/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("no fixture config/" + name, e);
    }
  }

  public static String label(String name) {
    return "config/" + name;
  }

  public static Interpolator noEnv(Path file) {
    return Interpolator.of(Map.of(), file.getParent());
  }
}
