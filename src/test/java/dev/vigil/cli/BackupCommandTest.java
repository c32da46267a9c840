package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil backup} against a real daemon on a real SQLite file: a copy taken while webhooks
 * keep arriving holds every alert acknowledged before it started, opens as a store again (the
 * restore), and each refusal says what is wrong. The store is SQLite here even when the suite runs
 * on PostgreSQL: the command copies SQLite stores only. Its webhooks are shared with the backup
 * benchmark.
 */
public class BackupCommandTest {
  public static final String HOOK = "/api/v1/alerts/alertmanager";
  public static final String SQLITE = "store: {url: \"sqlite:../data/vigil.db\"}\n";
  public static final int ALERTS_PER_WEBHOOK = 5;
  static final int POSTERS = 4;

  /** Bounds the posting loop whatever happens to the backup. */
  static final int MAX_WEBHOOKS = 50_000;

  @TempDir Path dir;

  /** One Alertmanager webhook: a group of its own with {@link #ALERTS_PER_WEBHOOK} new alerts. */
  public static String webhook(int seq) {
    StringBuilder alerts = new StringBuilder();
    for (int i = 0; i < ALERTS_PER_WEBHOOK; i++) {
      alerts
          .append(i == 0 ? "" : ",")
          .append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"BackupLoad\",\"seq\":\"")
          .append(seq)
          .append("\",\"n\":\"")
          .append(i)
          .append("\",\"severity\":\"warning\"},\"annotations\":{\"summary\":\"load\"},")
          .append(
              "\"startsAt\":\"2026-12-05T22:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://prometheus:9090/graph\",")
          .append("\"fingerprint\":\"")
          .append(fingerprint(seq, i))
          .append("\"}");
    }
    return "{\"version\":\"4\",\"groupKey\":\"{}:{seq=\\\""
        + seq
        + "\\\"}\",\"truncatedAlerts\":0,\"status\":\"firing\",\"receiver\":\"vigil\","
        + "\"groupLabels\":{\"seq\":\""
        + seq
        + "\"},\"commonLabels\":{\"alertname\":\"BackupLoad\",\"seq\":\""
        + seq
        + "\"},"
        + "\"commonAnnotations\":{},\"externalURL\":\"http://alertmanager:9093\",\"alerts\":["
        + alerts
        + "]}";
  }

  static String fingerprint(int seq, int n) {
    return String.format(Locale.ROOT, "%012x%04x", seq, n);
  }

  /** A webhook acknowledged with 202, and the incident it opened. */
  record Acked(int seq, String incident) {}

  @Test
  void aBackupTakenDuringSustainedIngestHoldsEveryAlertAcknowledgedBeforeItStartedAndRestores()
      throws Exception {
    Path copy = dir.resolve("backups/vigil-backup.db");
    Files.createDirectories(copy.getParent());
    Queue posted = new Queue();
    List<Acked> before;
    try (TestDaemon d = TestDaemon.start(dir, SQLITE)) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger next = new AtomicInteger();
      List<Thread> posters = new ArrayList<>();
      for (int t = 0; t < POSTERS; t++) {
        Thread poster =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    int seq = next.incrementAndGet();
                    if (seq > MAX_WEBHOOKS) {
                      return;
                    }
                    try {
                      HttpResponse<String> r =
                          http.send(
                              HttpRequest.newBuilder(URI.create(d.url(HOOK)))
                                  .header("Content-Type", "application/json")
                                  .timeout(Duration.ofSeconds(30))
                                  .POST(HttpRequest.BodyPublishers.ofString(webhook(seq)))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      if (r.statusCode() == 202) {
                        posted.acked.add(
                            new Acked(
                                seq,
                                new JsonObject(r.body()).getJsonArray("incidents").getString(0)));
                      } else {
                        posted.refused.put(seq, r.statusCode() + " " + r.body());
                      }
                    } catch (Exception e) {
                      posted.refused.put(seq, e.toString());
                    }
                  }
                },
                "webhook-poster-" + t);
        poster.start();
        posters.add(poster);
      }
      try {
        // well under way (and the store past its first pages) before the backup starts
        await().atMost(Duration.ofSeconds(60)).until(() -> posted.acked.size() >= 400);
        before = List.copyOf(posted.acked);
        CliTest.Run r =
            inAnotherProcess(
                "backup", copy.toString(), "--config", dir.resolve("config/vigil.yaml").toString());
        int ackedWhenDone = posted.acked.size();
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        // ingest goes on after the copy: the daemon's writer was not left locked out
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> posted.acked.size() >= ackedWhenDone + 100);
        stop.set(true);
        for (Thread p : posters) {
          p.join();
        }

        assertThat(posted.refused).as("every webhook during the backup was acknowledged").isEmpty();
        Set<String> stored = fingerprints(copy);
        List<String> missing = new ArrayList<>();
        for (Acked a : before) {
          for (int i = 0; i < ALERTS_PER_WEBHOOK; i++) {
            if (!stored.contains(fingerprint(a.seq(), i))) {
              missing.add(fingerprint(a.seq(), i));
            }
          }
        }
        assertThat(missing)
            .as("alerts acknowledged before the backup started, missing from it")
            .isEmpty();
        Matcher counts =
            Pattern.compile(
                    "backup: \\S+: (\\d+) incidents, (\\d+) alerts, [0-9.]+ MiB, integrity ok")
                .matcher(r.out());
        assertThat(counts.find()).as(r.out()).isTrue();
        assertThat(Long.parseLong(counts.group(2)))
            .isEqualTo(stored.size())
            .isGreaterThanOrEqualTo((long) before.size() * ALERTS_PER_WEBHOOK);
        assertThat(Long.parseLong(counts.group(1))).isGreaterThanOrEqualTo(before.size());
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)))
              .isEqualTo("rw-------");
        }
        try (var files = Files.list(copy.getParent())) {
          assertThat(files.map(p -> p.getFileName().toString()))
              .as("no partial file is left")
              .containsExactly("vigil-backup.db");
        }
      } finally {
        stop.set(true);
        for (Thread p : posters) {
          p.join();
        }
      }
    }

    // the restore: a daemon whose store.url is the copy serves what the copy holds and takes new
    // alerts
    Path restored = dir.resolve("restored");
    Acked last = before.get(before.size() - 1);
    try (TestDaemon d = TestDaemon.start(restored, "store: {url: \"sqlite:" + copy + "\"}\n")) {
      HttpResponse<String> inc = d.get("/api/v1/incidents/" + last.incident());
      assertThat(inc.statusCode()).isEqualTo(200);
      JsonObject body = new JsonObject(inc.body());
      assertThat(body.getInteger("alertCount")).isEqualTo(ALERTS_PER_WEBHOOK);
      assertThat(body.getJsonArray("alerts").getJsonObject(0).getString("fingerprint"))
          .startsWith(String.format(Locale.ROOT, "%012x", last.seq()));
      assertThat(d.post(HOOK, webhook(MAX_WEBHOOKS + 1)).statusCode()).isEqualTo(202);
    }
  }

  /**
   * Runs the command line in a JVM of its own, as an operator runs it beside the daemon: SQLite's
   * locks between processes are then the ones at work, not those between connections of one
   * process.
   */
  CliTest.Run inAnotherProcess(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.vigil.Main"));
    command.addAll(List.of(args));
    Path out = dir.resolve("backup.out");
    Path err = dir.resolve("backup.err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("vigil " + String.join(" ", args) + " did not end within 120 s");
    }
    return new CliTest.Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /**
   * What the posters saw: the acknowledged webhooks in the order their 202s arrived, and anything
   * else.
   */
  static final class Queue {
    final ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
    final Map<Integer, String> refused = new ConcurrentHashMap<>();
  }

  static Set<String> fingerprints(Path db) throws Exception {
    Set<String> out = new HashSet<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT fingerprint FROM alerts")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * A store with one incident of {@link #ALERTS_PER_WEBHOOK} alerts, the daemon stopped; returns
   * the config.
   */
  private Path storeWithOneIncident() {
    try (TestDaemon d = TestDaemon.start(dir, SQLITE)) {
      assertThat(d.post(HOOK, webhook(1)).statusCode()).isEqualTo(202);
    }
    return dir.resolve("config/vigil.yaml");
  }

  @Test
  void aStoppedDaemonsStoreIsCopiedToo() {
    Path config = storeWithOneIncident();
    Path copy = dir.resolve("copy.db");
    CliTest.Run r = CliTest.run("backup", copy.toString(), "--config", config.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("backup: " + copy + ": 1 incident, 5 alerts, ")
        .contains("to restore: stop Vigil, set store.url: \"sqlite:" + copy + "\"");
  }

  @Test
  void anExistingFileIsKeptUnlessForceIsGiven() throws Exception {
    Path config = storeWithOneIncident();
    Path copy = dir.resolve("copy.db");
    Files.writeString(copy, "an older backup");
    CliTest.Run refused = CliTest.run("backup", copy.toString(), "--config", config.toString());
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err())
        .isEqualTo("vigil: no backup: " + copy + " already exists; use --force to replace it\n");
    assertThat(Files.readString(copy)).isEqualTo("an older backup");

    CliTest.Run forced =
        CliTest.run("backup", copy.toString(), "--force", "--config", config.toString());
    assertThat(forced.code()).as(forced.err()).isZero();
    assertThat(fingerprints(copy)).hasSize(ALERTS_PER_WEBHOOK);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }
  }

  @Test
  void aFileInAMissingFolderIsRefusedAndTheFolderNotMade() {
    Path config = storeWithOneIncident();
    Path copy = dir.resolve("no-such-folder/copy.db");
    CliTest.Run r = CliTest.run("backup", copy.toString(), "--config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "vigil: no backup: cannot write "
                + copy
                + ": folder "
                + copy.getParent()
                + " does not exist\n");
    assertThat(copy.getParent()).doesNotExist();
  }

  @Test
  void aFolderIsNotABackupFile() {
    Path config = storeWithOneIncident();
    CliTest.Run r = CliTest.run("backup", dir.toString(), "--config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith(
            "vigil: no backup: cannot write "
                + dir
                + ": it is a folder; name the backup file, e.g. ");
  }

  @Test
  void theStoreAndItsWalAreNeverOverwrittenEvenWithForce() throws Exception {
    Path config = storeWithOneIncident();
    Path store = dir.resolve("data/vigil.db");
    byte[] before = Files.readAllBytes(store);
    for (String name : new String[] {"vigil.db", "vigil.db-wal"}) {
      // named as the user might: through another path to the same folder
      Path target = dir.resolve("config/../data/" + name);
      CliTest.Run r =
          CliTest.run("backup", target.toString(), "--force", "--config", config.toString());
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err())
          .startsWith("vigil: no backup: refusing to write the backup over the store")
          .contains(store.toRealPath() + (name.endsWith("-wal") ? "-wal" : ""))
          .endsWith("; name another file\n");
    }
    assertThat(Files.readAllBytes(store)).isEqualTo(before);
  }

  @Test
  void aMissingStoreIsSaidSoAndNoFileIsMade() throws Exception {
    Path config = TestDaemon.writeConfig(dir, SQLITE);
    Path copy = dir.resolve("copy.db");
    CliTest.Run r = CliTest.run("backup", copy.toString(), "--config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "vigil: no backup: no SQLite store at "
                + dir.resolve("data/vigil.db")
                + ": nothing to back up (is store.url the daemon's?)\n");
    assertThat(copy).doesNotExist();
    assertThat(dir.resolve("data/vigil.db")).as("not created by looking").doesNotExist();
  }

  @Test
  void aFileThatIsNotASqliteDatabaseFailsWithSqlitesReason() throws Exception {
    Path config = TestDaemon.writeConfig(dir, SQLITE);
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data/vigil.db"),
        "this is not a database, but it is long enough to have a header of a hundred bytes "
            .repeat(4));
    Path copy = dir.resolve("copy.db");
    CliTest.Run r = CliTest.run("backup", copy.toString(), "--config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("vigil: no backup: ")
        .contains(dir.resolve("data/vigil.db").toString())
        .contains("not a database");
    assertThat(copy).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".partial"));
    }
  }

  @Test
  void aPostgresStoreIsToldToUsePgDumpWithoutItsPassword() throws Exception {
    Path config =
        TestDaemon.writeConfig(
            dir,
            "store: {url: \"postgresql://vigil:s3cret@db.example.internal:5433/incidents\"}\n");
    CliTest.Run r = CliTest.run("backup", "vigil.dump", "--config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "vigil: no backup: the store is PostgreSQL; vigil backup copies SQLite stores only. Back it up with pg_dump, e.g.\n"
                + "  pg_dump --format=custom --host=db.example.internal --port=5433 --username=vigil --file=vigil.dump incidents\n"
                + "and restore with pg_restore --dbname=... vigil.dump (see docs/operations.md#backup-and-restore)\n");
    assertThat(r.err()).doesNotContain("s3cret");
  }

  @Test
  void anInvalidConfigIsReportedAsFileLineCol() throws Exception {
    Path config = dir.resolve("vigil.yaml");
    Files.writeString(
        config, "server: {host: 127.0.0.1, port: 0}\nstore:\n  url: mysql://db/vigil\n");
    CliTest.Run r =
        CliTest.run("backup", dir.resolve("copy.db").toString(), "--config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith(config + ":3:8: ")
        .contains("store url must start with sqlite: or postgresql://")
        .endsWith("vigil: no backup: " + config + " is invalid\n");
    assertThat(dir.resolve("copy.db")).doesNotExist();
  }

  @Test
  void aMissingFileArgumentIsAUsageError() {
    CliTest.Run r = CliTest.run("backup");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("Missing required parameter: 'FILE'")
        .contains("Usage: vigil backup");
  }
}
