package dev.vigil.cli;

import dev.vigil.config.ConfigException;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.VigilConfig;
import dev.vigil.store.SqliteBackup;
import io.vertx.pgclient.PgConnectOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil backup FILE [--force]}: a consistent, checked copy of the SQLite store that {@code
 * store.url} names, taken while the daemon runs (it keeps ingesting meanwhile). Restoring is
 * pointing {@code store.url} at the copy. For a PostgreSQL store it says to use {@code pg_dump}.
 * Exit 0 with the copy's counts; 1 when the config is invalid, the store is PostgreSQL or missing,
 * FILE exists (without --force) or its folder does not, or the copy fails its check; 2 usage.
 */
@Command(
    name = "backup",
    description = "Copy the SQLite store consistently while the daemon runs, then check the copy.")
public final class BackupCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Parameters(
      paramLabel = "FILE",
      description = "The backup file to write (its folder must exist).")
  Path file;

  @Option(names = "--force", description = "Replace FILE if it exists.")
  boolean force;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    VigilConfig cfg;
    try {
      cfg = ConfigLoader.fromSystem().load(config.file);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      err.println("vigil: no backup: " + config.file + " is invalid");
      err.flush();
      return 1;
    }
    VigilConfig.Store store = cfg.store();
    if (!store.isSqlite()) {
      err.println(pgDumpAdvice(store.url(), file));
      err.flush();
      return 1;
    }
    SqliteBackup.Copy copy;
    try {
      copy = SqliteBackup.copy(Path.of(store.sqlitePath()), file, force, store.busyTimeout());
    } catch (SqliteBackup.Failed e) {
      err.println("vigil: no backup: " + e.getMessage());
      err.flush();
      return 1;
    }
    out.println(
        "backup: "
            + file
            + ": "
            + copy.incidents()
            + " incident"
            + (copy.incidents() == 1 ? "" : "s")
            + ", "
            + copy.alerts()
            + " alert"
            + (copy.alerts() == 1 ? "" : "s")
            + ", "
            + String.format(Locale.ROOT, "%.1f MiB", copy.bytes() / 1048576.0)
            + ", integrity ok; copied from "
            + store.sqlitePath()
            + " in "
            + copy.took().toMillis()
            + " ms, checked in "
            + copy.checked().toMillis()
            + " ms");
    out.println(
        "to restore: stop Vigil, set store.url: \"sqlite:"
            + copy.file()
            + "\" (or a copy of it) and start Vigil;"
            + " see docs/operations.md#backup-and-restore");
    out.flush();
    return 0;
  }

  /**
   * What to run instead for a PostgreSQL store: a {@code pg_dump} command line for the database
   * that {@code url} names, without its password (pg_dump reads PGPASSWORD or ~/.pgpass).
   */
  static String pgDumpAdvice(String url, Path file) {
    String command;
    try {
      PgConnectOptions pg = PgConnectOptions.fromUri(url);
      command =
          "pg_dump --format=custom --host="
              + pg.getHost()
              + " --port="
              + pg.getPort()
              + (pg.getUser() == null || pg.getUser().isEmpty()
                  ? ""
                  : " --username=" + pg.getUser())
              + " --file="
              + file
              + " "
              + pg.getDatabase();
    } catch (RuntimeException e) {
      command = "pg_dump --format=custom --file=" + file + " DBNAME";
    }
    return "vigil: no backup: the store is PostgreSQL; vigil backup copies SQLite stores only. Back it up with pg_dump, e.g.\n"
        + "  "
        + command
        + "\n"
        + "and restore with pg_restore --dbname=... "
        + file
        + " (see docs/operations.md#backup-and-restore)";
  }
}
