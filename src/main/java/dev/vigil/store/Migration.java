package dev.vigil.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One schema migration: the file {@code db/<dialect>/V<version>.sql}, its statements and their
 * checksum. The checksum is the SHA-256 (hex) of the statements in {@link StatementSplitter}'s
 * canonical form, each followed by {@code ;\n}: editing a statement changes it; editing a comment,
 * the layout or the line endings does not, since none of those changes what the database runs.
 *
 * @param file the resource name, as errors and logs name it
 */
record Migration(int version, String file, List<String> statements, String checksum) {

  /**
   * Migration numbers looked for; numbers are reserved per feature, so some may be absent in a
   * build.
   */
  static final int MAX_VERSION = 99;

  /**
   * Parses {@code text}; fails with {@code file:line:col} if the script ends inside a literal or
   * comment.
   */
  static Migration of(Dialect dialect, int version, String file, String text) {
    List<String> statements = StatementSplitter.split(dialect, file, text);
    return new Migration(version, file, statements, checksum(statements));
  }

  static String checksum(List<String> statements) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String statement : statements) {
        sha.update((statement + ";\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /**
   * The migrations this build carries for {@code dialect}, in version order (numbers may have
   * gaps).
   */
  static List<Migration> bundled(Dialect dialect) {
    List<Migration> found = new ArrayList<>();
    for (int version = 1; version <= MAX_VERSION; version++) {
      String file = dialect.migrationResource(version);
      String text = resource(file);
      if (text != null) {
        found.add(of(dialect, version, file, text));
      }
    }
    return found;
  }

  private static String resource(String name) {
    try (InputStream in = Migration.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read " + name + " from the jar: " + e.getMessage(), e);
    }
  }
}
