package dev.vigil.store;

import static dev.vigil.store.SqlRunStoreTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestStore;
import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.classify.LabelTriage;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IngestResult;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite keeps the identity of new alerts in memory and merges it into {@code alert_keys} in the
 * background (ADR 0144). Whatever level a key is in, and across a stop, a re-sent alert is the same
 * row and a change updates it: the store never holds two rows of one alert.
 */
class AlertKeysTest {
  private static final String STARTS_AT = "2026-12-06T08:00:00Z";

  @TempDir Path dir;
  Vertx vertx;
  Database db;
  SqlIncidentStore store;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    reopen();
  }

  private void reopen() {
    db = await(Database.open(vertx, TestStore.sqlite(dir.resolve("k.db"))));
    store = new SqlIncidentStore(db);
  }

  @AfterEach
  void close() {
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
  }

  @Test
  void reSentAndResolvedAlertsStayOneRowWhileTheirKeysAreMerged() throws Exception {
    AlertKeys keys = db.sqliteWriter().alertKeys();
    keys.limits(50, 16);
    for (int batch = 0; batch < 20; batch++) {
      ingest(batch * 10, 10, AlertStatus.FIRING);
    }
    // cycles start at 50 keys and run in slices of 16 beside the ingests; they go on until fewer
    // than 50 keys are left in memory
    await().atMost(Duration.ofSeconds(30)).until(() -> keys.inMemory() < 50);
    assertThat(keys.merges()).isGreaterThanOrEqualTo(2);
    assertThat(count("SELECT count(*) FROM alert_keys")).isGreaterThan(150);

    // every alert again, unchanged: nothing new
    for (int batch = 0; batch < 20; batch++) {
      IngestResult r = ingest(batch * 10, 10, AlertStatus.FIRING);
      assertThat(r.events()).isEmpty();
    }
    // then resolved: the rows change, wherever their keys are
    for (int batch = 0; batch < 20; batch++) {
      ingest(batch * 10, 10, AlertStatus.RESOLVED);
    }
    assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM alerts WHERE status = 'resolved'")).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM (SELECT DISTINCT fingerprint, starts_at FROM alerts)"))
        .isEqualTo(200);
    assertThat(ownKeys()).isEqualTo(count("SELECT count(*) FROM alert_keys"));
  }

  /** alert_keys rows whose key is their alert's own fingerprint, as its bits. */
  private long ownKeys() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("k.db"));
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT k.fp, a.fingerprint FROM alert_keys k JOIN alerts a ON a.id = k.alert_id")) {
      long own = 0;
      while (rs.next()) {
        if (rs.getLong(1) == AlertKeys.bits(rs.getString(2))) {
          own++;
        }
      }
      return own;
    }
  }

  @Test
  void aMergeCycleGoesOnAndEndsOnTheWriterAtEachCommitNotAfterTheLogIsSynced() throws Exception {
    // the keys belong to the writer thread: a cycle's next slice and its end must not wait for, nor
    // run on, the thread that syncs the log (ADR 0146)
    await(db.close());
    SqliteLogSyncTest.HeldSync sync = new SqliteLogSyncTest.HeldSync();
    db = await(Database.open(vertx, TestStore.sqlite(dir.resolve("k.db")), sync));
    store = new SqlIncidentStore(db);
    AlertKeys keys = db.sqliteWriter().alertKeys();
    keys.limits(10, 4);
    sync.hold();
    try {
      io.vertx.core.Future<IngestResult> stored =
          ingestLater(0, 10, AlertStatus.FIRING, Fingerprint::of);
      // three slices committed and the cycle ended while no sync has finished
      await().atMost(Duration.ofSeconds(30)).until(() -> keys.merges() == 1);
      assertThat(keys.inMemory()).isZero();
      assertThat(stored.isComplete()).isFalse();
      assertThat(count("SELECT count(*) FROM alert_keys")).isEqualTo(10);
    } finally {
      sync.release.countDown();
    }
    assertThat(ownKeys()).isEqualTo(10);
  }

  @Test
  void fingerprintsOfAnyTextAreMergedAsTheyWereSent() throws Exception {
    AlertKeys keys = db.sqliteWriter().alertKeys();
    keys.limits(10, 4);
    // a sender's own fingerprints: not hex, not ASCII, one longer than any Alertmanager writes
    ingest(
        0,
        30,
        AlertStatus.FIRING,
        labels ->
            labels.get("instance").endsWith("7")
                ? "x".repeat(40_000) + labels.get("instance")
                : "empreinte-é-" + labels.get("instance"));
    await().atMost(Duration.ofSeconds(30)).until(() -> keys.merges() >= 1);
    assertThat(count("SELECT count(*) FROM alert_keys")).isGreaterThanOrEqualTo(10);
    assertThat(ownKeys()).isEqualTo(count("SELECT count(*) FROM alert_keys"));
  }

  @Test
  void aStopMergesTheKeysMemoryHeldAndReSentAlertsAreKnownAfterIt() throws Exception {
    ingest(0, 30, AlertStatus.FIRING);
    assertThat(db.sqliteWriter().alertKeys().inMemory()).isEqualTo(30);
    assertThat(count("SELECT count(*) FROM alert_keys")).isZero();
    await(db.close());
    // a stop loses memory (as kill -9 does): the start merges every alert above the mark
    reopen();
    assertThat(db.sqliteWriter().alertKeys().inMemory()).isZero();
    assertThat(count("SELECT count(*) FROM alert_keys")).isEqualTo(30);
    assertThat(count("SELECT value FROM store_marks WHERE name = 'alert_keys_through'"))
        .isEqualTo(30);

    ingest(0, 30, AlertStatus.FIRING);
    ingest(0, 30, AlertStatus.RESOLVED);
    assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(30);
    assertThat(count("SELECT count(*) FROM alerts WHERE status = 'resolved'")).isEqualTo(30);
  }

  @Test
  void aStoreFromBeforeV16HasItsTextKeysMovedToNumbersAtStartAndKnowsItsAlerts() throws Exception {
    // Alertmanager's hex fingerprints, read as numbers, and a sender's own, hashed
    java.util.function.Function<Map<String, String>, String> fingerprint =
        labels ->
            labels.get("instance").endsWith("3")
                ? "empreinte-\u00e9-" + labels.get("instance")
                : Fingerprint.of(labels);
    ingest(0, 30, AlertStatus.FIRING, fingerprint);
    await(db.close());
    reopen(); // the keys memory held are merged at the start
    await(db.close());
    // the store as V15 left it: alert_keys of texts, V16 not applied
    sql(
        "DROP TABLE alert_keys",
        "CREATE TABLE alert_keys (fingerprint TEXT NOT NULL, starts_at TEXT NOT NULL,"
            + " alert_id BIGINT NOT NULL, PRIMARY KEY (fingerprint, starts_at)) WITHOUT ROWID",
        "INSERT INTO alert_keys SELECT fingerprint, starts_at, id FROM alerts",
        "DELETE FROM schema_migrations WHERE version = 16");

    reopen();
    assertThat(count("SELECT count(*) FROM alert_keys")).isEqualTo(30);
    assertThat(ownKeys()).isEqualTo(30);
    assertThat(count("SELECT count(*) FROM sqlite_schema WHERE name = 'alert_keys_v15'")).isZero();
    assertThat(db.sqliteWriter().alertKeys().inMemory()).isZero();

    // the alerts are found where the start moved their keys: resolved in place, not added again
    ingest(0, 30, AlertStatus.RESOLVED, fingerprint);
    assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(30);
    assertThat(count("SELECT count(*) FROM alerts WHERE status = 'resolved'")).isEqualTo(30);
  }

  @Test
  void onceTheFilterIsReadANewFingerprintSkipsTheDiskAndAStoredOneNever() throws Exception {
    ingest(0, 30, AlertStatus.FIRING);
    await(db.close());
    // the start merges the 30 keys memory held; the filter is then read from the disk level
    reopen();
    StoredKeyFilter filter = db.sqliteWriter().alertKeys().onDisk();
    await().atMost(Duration.ofSeconds(30)).until(filter::ready);

    long before = filter.lookups();
    IngestResult fresh = ingest(100, 30, AlertStatus.FIRING);
    assertThat(fresh.events()).isNotEmpty();
    assertThat(filter.lookups() - before).isZero();

    // each stored fingerprint is still looked up on disk, and found: a repeat, then a change
    before = filter.lookups();
    reSentThenResolved(30, 60);
    assertThat(filter.lookups() - before).isEqualTo(60);
  }

  /**
   * Alerts 0 to n - 1 again, unchanged (nothing new), then resolved: the store holds {@code rows}
   * rows, n of them resolved, so each was found wherever its key was.
   */
  private void reSentThenResolved(int n, long rows) throws SQLException {
    assertThat(ingest(0, n, AlertStatus.FIRING).events()).isEmpty();
    ingest(0, n, AlertStatus.RESOLVED);
    assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(rows);
    assertThat(count("SELECT count(*) FROM alerts WHERE status = 'resolved'")).isEqualTo(n);
  }

  @Test
  void theFilterIsReadInPiecesThatMaySplitAFingerprintsRowsAndKeepsEveryFingerprint()
      throws Exception {
    StoredKeyFilter filter = db.sqliteWriter().alertKeys().onDisk();
    await().atMost(Duration.ofSeconds(30)).until(filter::ready);
    List<String> stored =
        List.of("a", "b", "b", "b", "c", "\u00e9-1", "\ud83d\ude00-2", "zz", "zz", "zzz");
    storeKeys(stored);
    filter.chunks(2, () -> {});
    db.sqliteWriter().alertKeys().buildFilter();
    await().atMost(Duration.ofSeconds(30)).until(() -> filter.built() == 2);
    assertThat(stored).allMatch(f -> filter.mayHold(AlertKeys.bits(f)));
    assertThat(filter.mayHold(AlertKeys.bits("absent"))).isFalse();
  }

  /** Rows written into {@code alert_keys} behind the writer's back, as another tool would. */
  private void storeKeys(List<String> fingerprints) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("k.db"));
        java.sql.PreparedStatement ps =
            c.prepareStatement("INSERT INTO alert_keys (fp, alert_id) VALUES (?, ?)")) {
      for (int i = 0; i < fingerprints.size(); i++) {
        ps.setLong(1, AlertKeys.bits(fingerprints.get(i)));
        ps.setLong(2, 1000 + i);
        ps.executeUpdate();
      }
    }
  }

  @Test
  void aReadThatFailsLeavesTheFilterInUseAndALaterBuildReadsEveryKey() throws Exception {
    AlertKeys keys = db.sqliteWriter().alertKeys();
    StoredKeyFilter filter = keys.onDisk();
    await().atMost(Duration.ofSeconds(30)).until(filter::ready);
    List<String> stored = List.of("a", "b", "c", "d", "e");
    storeKeys(stored);
    java.util.concurrent.atomic.AtomicInteger failures =
        new java.util.concurrent.atomic.AtomicInteger(1);
    filter.chunks(
        2,
        () -> {
          if (failures.getAndDecrement() > 0) {
            throw new IllegalStateException("the disk went away (test)");
          }
        });
    keys.buildFilter();
    // the read failed and the build is over
    await().atMost(Duration.ofSeconds(30)).until(() -> failures.get() < 1 && !filter.building());
    // the first filter stays in use and still answers for what the writer merged
    assertThat(filter.ready()).isTrue();
    assertThat(filter.built()).isEqualTo(1);
    long before = filter.lookups();
    assertThat(ingest(100, 10, AlertStatus.FIRING).events()).isNotEmpty();
    assertThat(filter.lookups() - before).isZero();

    // a later build reads the whole table and is put in use
    keys.buildFilter();
    await().atMost(Duration.ofSeconds(30)).until(() -> filter.built() >= 2);
    assertThat(stored).allMatch(f -> filter.mayHold(AlertKeys.bits(f)));
    assertThat(filter.mayHold(AlertKeys.bits("absent"))).isFalse();
  }

  @Test
  void aStopDuringTheReadEndsTheReaderBeforeItsNextPieceAndHandsNothingOver() throws Exception {
    AlertKeys keys = db.sqliteWriter().alertKeys();
    StoredKeyFilter filter = keys.onDisk();
    await().atMost(Duration.ofSeconds(30)).until(filter::ready);
    List<String> stored = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    storeKeys(stored);
    java.util.concurrent.atomic.AtomicInteger pieces =
        new java.util.concurrent.atomic.AtomicInteger();
    filter.chunks(
        2,
        () -> {
          if (pieces.incrementAndGet() == 1) {
            // the stop has begun: it waits for this reader, which must read no further
            await().atMost(Duration.ofSeconds(10)).until(filter::closing);
          }
        });
    keys.buildFilter();
    await().atMost(Duration.ofSeconds(30)).until(() -> pieces.get() == 1);

    await(db.close());
    db = null;
    // five pieces to read: the stop began between the first two, and the reader went no further
    assertThat(pieces.get()).isEqualTo(1);
    assertThat(filter.built()).isEqualTo(1);
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("vigil-sqlite-key-filter"));
    // and the store opens again, with a filter of every stored key
    reopen();
    StoredKeyFilter again = db.sqliteWriter().alertKeys().onDisk();
    await().atMost(Duration.ofSeconds(30)).until(again::ready);
    assertThat(stored).allMatch(f -> again.mayHold(AlertKeys.bits(f)));
  }

  @Test
  void keysMergedWhileTheFilterIsReadAreInTheFilterItHandsOver() throws Exception {
    java.util.function.Function<Map<String, String>, String> late =
        labels -> "m-" + labels.get("instance");
    java.util.function.Function<Map<String, String>, String> early =
        labels -> "a-" + labels.get("instance");
    ingest(0, 6, AlertStatus.FIRING, late);
    await(db.close());
    reopen();
    AlertKeys keys = db.sqliteWriter().alertKeys();
    StoredKeyFilter filter = keys.onDisk();
    await().atMost(Duration.ofSeconds(30)).until(filter::ready);

    java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
    filter.chunks(
        2,
        () -> {
          paused.countDown();
          try {
            resume.await(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    keys.limits(4, 2);
    keys.buildFilter();
    assertThat(paused.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    // the reader is past "m-host-1"; these sort before it and are merged now, then leave memory
    ingest(100, 8, AlertStatus.FIRING, early);
    await().atMost(Duration.ofSeconds(30)).until(() -> keys.inMemory() < 4);
    resume.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> filter.built() == 2);

    assertThat(ingest(100, 8, AlertStatus.FIRING, early).events()).isEmpty();
    assertThat(ingest(0, 6, AlertStatus.FIRING, late).events()).isEmpty();
    assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(14);
  }

  @Test
  void aFilterPastItsBoundIsNotBuiltAndTheOneInUseStays() throws Exception {
    AlertKeys keys = db.sqliteWriter().alertKeys();
    StoredKeyFilter filter = keys.onDisk();
    await().atMost(Duration.ofSeconds(30)).until(filter::ready);
    ingest(0, 20, AlertStatus.FIRING);
    filter.least(KeyFilter.MAX_CAPACITY + 1);
    keys.buildFilter();
    await().atMost(Duration.ofSeconds(30)).until(filter::bounded);
    assertThat(filter.ready()).isTrue();
    assertThat(filter.built()).isEqualTo(1);
    // a later build meets the same bound, and the filter in use still answers
    keys.buildFilter();
    long before = filter.lookups();
    assertThat(ingest(100, 10, AlertStatus.FIRING).events()).isNotEmpty();
    assertThat(filter.lookups() - before).isZero();
    assertThat(filter.built()).isEqualTo(1);
  }

  @Test
  void keysMergedAfterTheFilterWasReadAreInIt() throws Exception {
    AlertKeys keys = db.sqliteWriter().alertKeys();
    await().atMost(Duration.ofSeconds(30)).until(keys.onDisk()::ready);
    keys.limits(10, 4);
    for (int batch = 0; batch < 6; batch++) {
      ingest(batch * 5, 5, AlertStatus.FIRING);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> keys.inMemory() < 10);
    assertThat(count("SELECT count(*) FROM alert_keys")).isGreaterThanOrEqualTo(20);

    // the merged keys left memory: only the filter's bits send their lookups to disk
    reSentThenResolved(30, 30);
  }

  @Test
  void aFilterFilledPastWhatItWasMadeForIsBuiltAgainAndKnowsEveryKeyMergedWhileItWasRead()
      throws Exception {
    AlertKeys keys = db.sqliteWriter().alertKeys();
    StoredKeyFilter filter = keys.onDisk();
    await().atMost(Duration.ofSeconds(30)).until(filter::ready);
    // made at start for the least (1 Mi keys); from now on for 1,024 and twice what is stored
    filter.least(1024);
    keys.limits(256, 128);
    int sent = 0;
    // every cycle's end finds the first filter not full; once one for 1,024 is built (by a test's
    // call), it fills and is built again, while ingest and merges go on
    keys.buildFilter();
    while (filter.built() < 3 && sent < 20_000) {
      ingest(sent, 100, AlertStatus.FIRING);
      sent += 100;
    }
    assertThat(filter.built()).isGreaterThanOrEqualTo(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> keys.inMemory() < 256 && filter.ready());

    for (int from = 0; from < sent; from += 1000) {
      assertThat(ingest(from, Math.min(1000, sent - from), AlertStatus.FIRING).events()).isEmpty();
    }
    assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(sent);
  }

  @Test
  void anIngestThatRollsBackLeavesNoKeyBehind() throws Exception {
    AlertKeys keys = db.sqliteWriter().alertKeys();
    keys.limits(20, 8);
    // the timeline insert (after the alert rows) fails while the flag is set
    sql(
        "CREATE TABLE fail_flag (x INTEGER)",
        "INSERT INTO fail_flag VALUES (1)",
        "CREATE TRIGGER fail_timeline BEFORE INSERT ON timeline"
            + " WHEN (SELECT count(*) FROM fail_flag) > 0 BEGIN SELECT RAISE(ABORT, 'injected'); END");
    assertThatThrownBy(() -> ingest(0, 10, AlertStatus.FIRING)).hasMessageContaining("injected");
    assertThat(count("SELECT count(*) FROM alerts")).isZero();
    assertThat(keys.inMemory()).isZero();

    sql("DELETE FROM fail_flag");
    // the same alerts again: new, stored once, and their keys merged (20 keys start a cycle)
    ingest(0, 10, AlertStatus.FIRING);
    ingest(10, 10, AlertStatus.FIRING);
    await().atMost(Duration.ofSeconds(30)).until(() -> keys.merges() == 1);
    ingest(0, 20, AlertStatus.RESOLVED);
    assertThat(count("SELECT count(*) FROM alerts")).isEqualTo(20);
    assertThat(count("SELECT count(*) FROM alerts WHERE status = 'resolved'")).isEqualTo(20);
    assertThat(count("SELECT count(*) FROM alert_keys k JOIN alerts a ON a.id = k.alert_id"))
        .isEqualTo(20);
  }

  @Test
  void keysStagedByAPieceThatRolledBackOrATransactionThatFailedNeverReachMemory() {
    AlertKeys keys = new AlertKeys(null, null);
    AlertKeys.Key a = new AlertKeys.Key("a", 1);
    AlertKeys.Key b = new AlertKeys.Key("b", 2);
    AlertKeys.Key c = new AlertKeys.Key("c", 3);

    // a piece rolled back to its savepoint; its neighbour before it in the transaction committed
    keys.stage(List.of(b));
    int savepoint = keys.staged();
    keys.stage(List.of(a));
    keys.rollBack(savepoint);
    List<Long> seen = new ArrayList<>();
    keys.find(AlertKeys.bits("a"), seen);
    assertThat(seen).isEmpty();
    keys.find(AlertKeys.bits("b"), seen);
    assertThat(seen).containsExactly(2L);
    keys.committed();
    assertThat(keys.inMemory()).isEqualTo(1);

    // a transaction failed (the writer rolls it back whole): the next neither sees nor commits its
    // keys
    keys.stage(List.of(c));
    keys.rollBack(0);
    seen.clear();
    keys.find(AlertKeys.bits("c"), seen);
    assertThat(seen).isEmpty();
    keys.stage(List.of(a));
    keys.committed();
    seen.clear();
    keys.find(AlertKeys.bits("c"), seen);
    keys.find(AlertKeys.bits("a"), seen);
    keys.find(AlertKeys.bits("b"), seen);
    assertThat(seen).containsExactly(1L, 2L);
  }

  @Test
  void memoryFindsExactlyTheKeysStagedAndNotTakenBackThroughManyFingerprintsAndGrowth() {
    AlertKeys keys = new AlertKeys(null, null);
    java.util.Random random = new java.util.Random(14);
    Map<String, List<Long>> committed = new java.util.HashMap<>();
    Map<String, List<Long>> running = new java.util.HashMap<>();
    long id = 0;
    for (int round = 0; round < 400; round++) {
      int savepoint = keys.staged();
      Map<String, List<Long>> before = copy(running);
      for (int i = random.nextInt(40); i > 0; i--) {
        // a few thousand fingerprints, hex like Alertmanager's or not, several starts each
        String fp =
            random.nextBoolean()
                ? String.format("%016x", random.nextInt(3000) * 0x9E3779B97F4AL)
                : "custom-" + random.nextInt(500);
        keys.stage(List.of(new AlertKeys.Key(fp, ++id)));
        running.computeIfAbsent(fp, k -> new ArrayList<>()).add(id);
      }
      switch (random.nextInt(4)) {
        case 0 -> { // the piece rolled back to its savepoint
          keys.rollBack(savepoint);
          running = before;
        }
        case 1 -> { // the transaction failed
          keys.rollBack(0);
          running.clear();
        }
        case 2 -> {
          keys.committed();
          running.forEach((k, v) -> committed.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
          running.clear();
        }
        default -> {} // the transaction goes on
      }
      Map<String, List<Long>> expected = copy(committed);
      running.forEach((k, v) -> expected.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      for (Map.Entry<String, List<Long>> e : expected.entrySet()) {
        List<Long> found = new ArrayList<>();
        keys.find(AlertKeys.bits(e.getKey()), found);
        assertThat(found).as(e.getKey()).containsExactlyInAnyOrderElementsOf(e.getValue());
      }
    }
    assertThat(id).isGreaterThan(2048); // past the first arrays and index
  }

  @Test
  void alertmanagersFingerprintsKeepTheirTextOrderAsBits() {
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 10_000; i++) {
      String a = String.format("%016x", random.nextLong());
      String b = String.format("%016x", random.nextLong());
      assertThat(Integer.signum(Long.compareUnsigned(AlertKeys.bits(a), AlertKeys.bits(b))))
          .as(a + " " + b)
          .isEqualTo(Integer.signum(a.compareTo(b)));
    }
    assertThat(AlertKeys.bits("00000000000000ff")).isEqualTo(255);
    // not 16 lowercase hex digits: hashed, still 64 bits each
    assertThat(AlertKeys.bits("00000000000000FF")).isNotEqualTo(255);
  }

  private static Map<String, List<Long>> copy(Map<String, List<Long>> m) {
    Map<String, List<Long>> out = new java.util.HashMap<>();
    m.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
    return out;
  }

  private IngestResult ingest(int first, int n, AlertStatus status) {
    return ingest(first, n, status, Fingerprint::of);
  }

  private IngestResult ingest(
      int first,
      int n,
      AlertStatus status,
      java.util.function.Function<Map<String, String>, String> fingerprint) {
    return await(ingestLater(first, n, status, fingerprint));
  }

  private io.vertx.core.Future<IngestResult> ingestLater(
      int first,
      int n,
      AlertStatus status,
      java.util.function.Function<Map<String, String>, String> fingerprint) {
    List<AlertIntake> request = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      Map<String, String> labels =
          Map.of("alertname", "Disk", "instance", "host-" + i, "severity", "warning");
      request.add(
          new AlertIntake(
              new Alert(
                  fingerprint.apply(labels),
                  labels,
                  Map.of("summary", "disk"),
                  status,
                  Instant.parse(STARTS_AT),
                  status == AlertStatus.RESOLVED ? Instant.parse("2026-12-06T09:00:00Z") : null,
                  ""),
              "disk",
              Map.of("alertname", "Disk"),
              false));
    }
    return store.ingest(List.of(request), new LabelTriage(), Instant.parse("2026-12-06T08:30:00Z"));
  }

  private long count(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("k.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("k.db"));
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }
}
