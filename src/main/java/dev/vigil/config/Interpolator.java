package dev.vigil.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${env:NAME}}, {@code ${env:NAME:-default}} and {@code ${file:PATH}} in config
 * values, so that secrets live in the environment or in files, never in the YAML.
 *
 * <p>A missing variable or unreadable file is a problem naming the key, never a silent empty
 * string. Values read from files have one trailing newline removed (as written by {@code echo}).
 * Runbook templates ({@code ${{ ... }}}) are left alone.
 */
public final class Interpolator {
  private static final Pattern REF = Pattern.compile("\\$\\{(env|file):([^}]*)}");

  private final Function<String, String> env;
  private final Path baseDir;

  public Interpolator(Function<String, String> env, Path baseDir) {
    this.env = env;
    this.baseDir = baseDir;
  }

  public static Interpolator system(Path baseDir) {
    return new Interpolator(System::getenv, baseDir);
  }

  public static Interpolator of(Map<String, String> env, Path baseDir) {
    return new Interpolator(env::get, baseDir);
  }

  /**
   * The same environment, with relative {@code ${file:...}} paths resolved against another folder.
   */
  public Interpolator relativeTo(Path dir) {
    return new Interpolator(env, dir);
  }

  public Path baseDir() {
    return baseDir;
  }

  /**
   * The value with every reference replaced; problems are reported at {@code pos} for {@code path}.
   */
  String apply(String value, Pos pos, String path, Problems problems) {
    if (value.indexOf("${") < 0) {
      return value;
    }
    Matcher m = REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement =
          m.group(1).equals("env")
              ? fromEnv(m.group(2), pos, path, problems)
              : fromFile(m.group(2), pos, path, problems);
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String fromEnv(String spec, Pos pos, String path, Problems problems) {
    int dflt = spec.indexOf(":-");
    String name = dflt < 0 ? spec : spec.substring(0, dflt);
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      problems.error(pos, path + ": \"" + name + "\" is not an environment variable name");
      return "";
    }
    String v = env.apply(name);
    if (v == null || (v.isEmpty() && dflt >= 0)) {
      if (dflt >= 0) {
        return spec.substring(dflt + 2);
      }
      problems.error(
          pos,
          path
              + ": environment variable "
              + name
              + " is not set (use ${env:"
              + name
              + ":-} for an optional value)");
      return "";
    }
    return v;
  }

  private String fromFile(String spec, Pos pos, String path, Problems problems) {
    Path file = baseDir.resolve(spec);
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8);
      return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    } catch (IOException e) {
      problems.error(pos, path + ": cannot read secret file " + file + ": " + Yaml.describe(e));
      return "";
    }
  }
}
