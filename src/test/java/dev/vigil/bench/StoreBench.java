package dev.vigil.bench;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Commits batches straight into the store, without HTTP, to see what one ingest transaction costs.
 * Run: bench/ingest/store-bench.sh [requests-per-batch] [alerts-per-request] [batches]
 */
public final class StoreBench {
  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int alerts = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int batches = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    String sync = args.length > 3 ? args[3] : "FULL";
    Path dir = Files.createTempDirectory("vigil-store-bench");
    Vertx vertx = Vertx.vertx();
    VigilConfig.Store cfg =
        new VigilConfig.Store(
            "sqlite:" + dir.resolve("b.db"), new Secret(""), sync, Duration.ofSeconds(5), 8);
    Database db = Database.open(vertx, cfg).toCompletionStage().toCompletableFuture().get();
    SqlIncidentStore store = new SqlIncidentStore(db);
    int n = 0;
    long total = 0;
    for (int b = 0; b < batches; b++) {
      List<List<AlertIntake>> batch = new ArrayList<>();
      for (int r = 0; r < requests; r++) {
        List<AlertIntake> req = new ArrayList<>();
        String group = "g" + (n++);
        for (int a = 0; a < alerts; a++) {
          Map<String, String> labels =
              Map.of("alertname", "Bench", "instance", group + "-" + a, "severity", "warning");
          req.add(
              new AlertIntake(
                  new Alert(
                      Boolean.getBoolean("bench.orderedFingerprints")
                          ? String.format("%016x", (long) n * 1000 + a)
                          : Fingerprint.of(labels),
                      labels,
                      Map.of("summary", "bench"),
                      AlertStatus.FIRING,
                      Instant.parse("2026-11-29T05:00:00Z"),
                      null,
                      ""),
                  group,
                  Map.of("alertname", "Bench"),
                  false));
        }
        batch.add(req);
      }
      long t0 = System.nanoTime();
      store
          .ingest(batch, new LabelTriage(), Instant.now())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      long dt = System.nanoTime() - t0;
      if (b >= batches / 5) {
        total += dt;
      }
    }
    int measured = batches - batches / 5;
    double perBatchMs = total / 1e6 / measured;
    System.out.printf(
        "batches of %d requests x %d alerts, synchronous=%s: %.2f ms per commit, %.0f alerts/s%n",
        requests, alerts, sync, perBatchMs, requests * alerts / (perBatchMs / 1000));
    db.close().toCompletionStage().toCompletableFuture().get();
    vertx.close();
  }
}
