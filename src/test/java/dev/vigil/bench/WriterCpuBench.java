package dev.vigil.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.classify.LabelTriage;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.AlertIntake;
import dev.vigil.store.Database;
import dev.vigil.store.SqlIncidentStore;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The SQLite writer thread's CPU time per alert of a new group: batches of {@code requests}
 * webhooks of {@code alerts} alerts each, every webhook its own new group, ingested one commit at a
 * time through the real {@link SqlIncidentStore} (and so {@code SqliteWriter} and {@code
 * SqliteIngest}) into a fresh file. The figure is the writer thread's CPU time (ThreadMXBean, which
 * counts SQLite's native code on that thread too), so it does not depend on what else the machine
 * runs; the wall clock is printed only as a hint. Alerts are built inside the measured loop, so
 * work moved off the writer still shows in the process's CPU per alert.
 *
 * <p>Run: bench/ingest/writer-cpu.sh [requests-per-commit] [alerts-per-request] [commits] [rounds]
 */
public final class WriterCpuBench {
  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int alerts = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int commits = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    String sync = args.length > 4 ? args[4] : "FULL";
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    threads.setThreadCpuTimeEnabled(true);
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] writerUs = new double[rounds];
    double[] processUs = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      Path dir = Files.createTempDirectory("vigil-writer-cpu");
      Vertx vertx = Vertx.vertx();
      VigilConfig.Store cfg =
          new VigilConfig.Store(
              "sqlite:" + dir.resolve("b.db"), new Secret(""), sync, Duration.ofSeconds(5), 8);
      Database db = Database.open(vertx, cfg).toCompletionStage().toCompletableFuture().get();
      SqlIncidentStore store = new SqlIncidentStore(db);
      long writer = writerThreadId();
      int[] group = {0};
      // warm-up: a fifth as many commits, not counted (JIT, page cache)
      for (int c = 0; c < commits / 5; c++) {
        commit(store, batch(requests, alerts, group));
      }
      long cpu0 = threads.getThreadCpuTime(writer);
      long process0 = os.getProcessCpuTime();
      long wall0 = System.nanoTime();
      for (int c = 0; c < commits; c++) {
        commit(store, batch(requests, alerts, group));
      }
      long cpu = threads.getThreadCpuTime(writer) - cpu0;
      long process = os.getProcessCpuTime() - process0;
      long wall = System.nanoTime() - wall0;
      long measured = (long) commits * requests * alerts;
      writerUs[round] = cpu / 1e3 / measured;
      processUs[round] = process / 1e3 / measured;
      System.out.printf(
          "round %d: %d commits of %d alerts (%d new groups each): writer CPU %.1f µs/alert"
              + " (%.0f µs/commit), process CPU %.1f µs/alert, wall %.1f µs/alert (not a"
              + " throughput figure)%n",
          round + 1,
          commits,
          requests * alerts,
          requests,
          writerUs[round],
          cpu / 1e3 / commits,
          processUs[round],
          wall / 1e3 / measured);
      db.close().toCompletionStage().toCompletableFuture().get();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    Arrays.sort(writerUs);
    Arrays.sort(processUs);
    System.out.printf(
        "median of %d rounds: writer CPU %.1f µs/alert (min %.1f, max %.1f); process CPU %.1f"
            + " µs/alert%n",
        rounds, writerUs[rounds / 2], writerUs[0], writerUs[rounds - 1], processUs[rounds / 2]);
  }

  private static void commit(SqlIncidentStore store, List<List<AlertIntake>> batch)
      throws Exception {
    store
        .ingest(batch, new LabelTriage(), Instant.now())
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** Requests shaped as bench/ingest/vigil-webhook.lua sends them: each its own new group. */
  private static List<List<AlertIntake>> batch(int requests, int alerts, int[] group) {
    List<List<AlertIntake>> batch = new ArrayList<>(requests);
    for (int r = 0; r < requests; r++) {
      String g = "cpu-" + (group[0]++);
      String key = "{}:{alertname=\"BenchAlert\", group=\"" + g + "\"}";
      List<AlertIntake> req = new ArrayList<>(alerts);
      for (int a = 0; a < alerts; a++) {
        String n = g + "-" + a;
        Map<String, String> labels =
            Map.of(
                "alertname", "BenchAlert",
                "instance", "host-" + n + ".example.internal:9100",
                "job", "node",
                "severity", "warning",
                "team", "platform");
        req.add(
            new AlertIntake(
                new Alert(
                    Fingerprint.of(labels),
                    labels,
                    Map.of("summary", "BenchAlert on host-" + n, "description", "benchmark alert"),
                    AlertStatus.FIRING,
                    Instant.parse("2026-11-29T05:36:32Z"),
                    null,
                    "http://prometheus:9090/graph"),
                key,
                Map.of("alertname", "BenchAlert", "job", "node"),
                false));
      }
      batch.add(req);
    }
    return batch;
  }

  private static long writerThreadId() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("vigil-sqlite-writer")) {
        return t.getId();
      }
    }
    throw new IllegalStateException("no vigil-sqlite-writer thread");
  }
}
