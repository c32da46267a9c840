package dev.vigil.bench;

import dev.vigil.TestDaemon;
import dev.vigil.cli.BackupCommandTest;
import dev.vigil.cli.CliTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long {@code vigil backup} takes on a store of {@code bench.backup.alerts} alerts (default
 * 100,000) while webhooks keep arriving, and what ingest does meanwhile: requests and their latency
 * in a window before the backup, during it, and after it (bench/backup/run.sh runs it; skipped in
 * ordinary test runs). The daemon and the backup share this JVM. Prints RESULT lines (also in
 * target/backup-bench.txt).
 */
class BackupBenchmark {
  @TempDir Path dir;

  /** One answered request: when it was sent and answered (nanoTime) and its status. */
  record Sample(long sent, long answered, int status) {}

  @Test
  void backupUnderIngest() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("vigil.bench"), "benchmark: run bench/backup/run.sh");
    int storeAlerts = Integer.getInteger("bench.backup.alerts", 100_000);
    int window = Integer.getInteger("bench.backup.window.seconds", 5);
    List<String> lines = new ArrayList<>();
    try (TestDaemon d = TestDaemon.start(dir, BackupCommandTest.SQLITE)) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      AtomicInteger seq = new AtomicInteger();
      // the store: webhooks of 5 new alerts each (one incident per webhook) from 4 clients
      long fillStart = System.nanoTime();
      post(
          d,
          http,
          seq,
          4,
          storeAlerts / BackupCommandTest.ALERTS_PER_WEBHOOK,
          new AtomicBoolean(),
          new ConcurrentLinkedQueue<>());
      long fillNanos = System.nanoTime() - fillStart;
      lines.add(
          String.format(
              Locale.ROOT,
              "RESULT fill alerts=%d seconds=%.1f store_mib=%.1f",
              storeAlerts,
              fillNanos / 1e9,
              Files.size(dir.resolve("data/vigil.db")) / 1048576.0));

      // steady ingest from 2 clients while: a quiet window, the backup, a quiet window
      ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      Thread load = new Thread(() -> post(d, http, seq, 2, 2_000_000, stop, samples), "bench-load");
      load.start();
      Thread.sleep(window * 1000L); // a benchmark's measuring window, not sequencing
      long backupStart = System.nanoTime();
      CliTest.Run r =
          CliTest.run(
              "backup",
              dir.resolve("backup.db").toString(),
              "--config",
              dir.resolve("config/vigil.yaml").toString());
      long backupEnd = System.nanoTime();
      long walAfter =
          Files.exists(dir.resolve("data/vigil.db-wal"))
              ? Files.size(dir.resolve("data/vigil.db-wal"))
              : 0;
      Thread.sleep(window * 1000L);
      stop.set(true);
      load.join();
      lines.add(
          "RESULT backup exit="
              + r.code()
              + " wall_ms="
              + (backupEnd - backupStart) / 1_000_000
              + " out="
              + r.out().lines().findFirst().orElse("")
              + (r.err().isEmpty() ? "" : " err=" + r.err().strip()));
      lines.add(
          String.format(Locale.ROOT, "RESULT wal_after_backup_mib=%.1f", walAfter / 1048576.0));
      lines.add(window("before", samples, backupStart - window * 1_000_000_000L, backupStart));
      lines.add(window("during", samples, backupStart, backupEnd));
      lines.add(window("after", samples, backupEnd, backupEnd + window * 1_000_000_000L));
      lines.add(timeline(samples, backupStart, backupEnd));
    }
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target/backup-bench.txt"), lines);
    lines.forEach(System.out::println);
  }

  /**
   * Requests answered within [from, to): count, alerts/s, p50/p99/max latency, and any status but
   * 202.
   */
  static String window(String name, ConcurrentLinkedQueue<Sample> samples, long from, long to) {
    List<Long> latencies = new ArrayList<>();
    int other = 0;
    for (Sample s : samples) {
      if (s.answered() >= from && s.answered() < to) {
        latencies.add((s.answered() - s.sent()) / 1000);
        other += s.status() == 202 ? 0 : 1;
      }
    }
    latencies.sort(null);
    double seconds = (to - from) / 1e9;
    return String.format(
        Locale.ROOT,
        "RESULT ingest %s seconds=%.2f requests=%d alerts_per_s=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f not_202=%d",
        name,
        seconds,
        latencies.size(),
        latencies.size() * BackupCommandTest.ALERTS_PER_WEBHOOK / seconds,
        pct(latencies, 0.50),
        pct(latencies, 0.99),
        latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1) / 1000.0,
        other);
  }

  /**
   * Requests answered per 100 ms from 0.5 s before the backup to 0.5 s after it (the backup's span
   * in brackets), and the worst latency in each slot: shows whether ingest stops during the copy.
   */
  static String timeline(ConcurrentLinkedQueue<Sample> samples, long start, long end) {
    long from = start - 500_000_000L;
    int slots = (int) ((end + 500_000_000L - from) / 100_000_000L) + 1;
    int[] count = new int[slots];
    long[] worst = new long[slots];
    for (Sample s : samples) {
      if (s.answered() >= from && s.answered() < from + slots * 100_000_000L) {
        int i = (int) ((s.answered() - from) / 100_000_000L);
        count[i]++;
        worst[i] = Math.max(worst[i], (s.answered() - s.sent()) / 1_000_000);
      }
    }
    StringBuilder sb = new StringBuilder("RESULT per_100ms answered/worst_ms:");
    for (int i = 0; i < slots; i++) {
      long slotStart = from + i * 100_000_000L;
      sb.append(slotStart <= start && start < slotStart + 100_000_000L ? " [" : " ")
          .append(count[i])
          .append('/')
          .append(worst[i])
          .append(slotStart <= end && end < slotStart + 100_000_000L ? "]" : "");
    }
    return sb.toString();
  }

  static double pct(List<Long> sorted, double p) {
    return sorted.isEmpty()
        ? 0
        : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1000.0;
  }

  /**
   * {@code clients} threads post new webhooks until {@code count} are sent or {@code stop} is set.
   */
  static void post(
      TestDaemon d,
      HttpClient http,
      AtomicInteger seq,
      int clients,
      int count,
      AtomicBoolean stop,
      ConcurrentLinkedQueue<Sample> samples) {
    AtomicLong sent = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get() && sent.incrementAndGet() <= count) {
                  long start = System.nanoTime();
                  int status;
                  try {
                    status =
                        http.send(
                                HttpRequest.newBuilder(URI.create(d.url(BackupCommandTest.HOOK)))
                                    .header("Content-Type", "application/json")
                                    .timeout(Duration.ofSeconds(60))
                                    .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                            BackupCommandTest.webhook(seq.incrementAndGet())))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                  } catch (Exception e) {
                    status = -1;
                  }
                  samples.add(new Sample(start, System.nanoTime(), status));
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
