package dev.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cel.common.types.CelType;
import dev.vigil.config.Problems;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.config.YamlNode;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Severity;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.action.Attempt;
import dev.vigil.runbook.action.HttpRequests;
import dev.vigil.runbook.action.HttpStep;
import dev.vigil.runbook.action.SpecReader;
import dev.vigil.runbook.action.StepKind;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.action.StepOutcome;
import dev.vigil.runbook.action.StepServices;
import dev.vigil.runbook.action.StepSpec;
import dev.vigil.runbook.action.TimelineNotifications;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.store.Database;
import dev.vigil.store.SqlRunStore;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.VertxScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The engine benchmark (bench/engine/run.sh runs it; skipped in ordinary test runs): (a) engine
 * overhead per step with steps that do no I/O, (b) 10,000 concurrent runs of a 5-step runbook with
 * wait and http steps against a local server. The run store is real SQLite (WAL, synchronous=FULL);
 * incidents are in memory, so only the engine's own writes are measured. Prints one line per case.
 */
class EngineBenchmark {
  @TempDir Path dir;

  @Test
  void noIoSteps() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("vigil.bench"), "benchmark: run bench/engine/run.sh");
    int runs = Integer.getInteger("bench.noio.runs", 2000);
    bench(
        "noio",
        runs,
        """
        name: noio
        match: ['alertname = "x"']
        steps:
          - {id: a, http: {url: "http://127.0.0.1:1/a"}}
          - {id: b, needs: [a], http: {url: "http://127.0.0.1:1/b"}}
          - {id: c, needs: [a], http: {url: "http://127.0.0.1:1/c"}}
          - {id: d, needs: [b, c], http: {url: "http://127.0.0.1:1/d"}}
          - {id: e, needs: [d], http: {url: "http://127.0.0.1:1/e"}}
        """,
        true);
  }

  @Test
  void tenThousandConcurrentRuns() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("vigil.bench"), "benchmark: run bench/engine/run.sh");
    int runs = Integer.getInteger("bench.concurrent.runs", 10_000);
    bench(
        "concurrent",
        runs,
        """
        name: five
        match: ['alertname = "x"']
        steps:
          - {id: look, http: {url: "$BASE/look?host=${{ alert.labels.instance }}"}}
          - {id: settle, needs: [look], wait: 5s}
          - {id: left, needs: [settle], http: {url: "$BASE/left"}}
          - {id: right, needs: [settle], http: {url: "$BASE/right"}}
          - {id: report, needs: [left, right], http: {method: POST, url: "$BASE/report", body: {host: "${{ alert.labels.instance }}"}}}
        """,
        false);
  }

  private void bench(String name, int runs, String yaml, boolean noIo) throws Exception {
    Logger blocked = (Logger) LoggerFactory.getLogger("vertx-blocked-thread-checker");
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    blocked.addAppender(warnings);
    Vertx vertx = Vertx.vertx();
    AtomicLong served = new AtomicLong();
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onComplete(
                            b -> {
                              served.incrementAndGet();
                              req.response()
                                  .putHeader("Content-Type", "application/json")
                                  .end("{\"ok\": true}");
                            }));
    int port =
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();
    Path file = dir.resolve("bench.yaml");
    Files.writeString(file, yaml.replace("$BASE", "http://127.0.0.1:" + port));
    RunbookReader reader = new RunbookReader(List.of(), List.of());
    Runbook rb = reader.read(file, "bench.yaml", new Problems()).orElseThrow();
    VigilConfig.Store storeConfig =
        new VigilConfig.Store(
            "sqlite:" + dir.resolve("bench.db"), new Secret(""), "FULL", Duration.ofSeconds(5), 4);
    Database db = Database.open(vertx, storeConfig).toCompletionStage().toCompletableFuture().get();
    SqlRunStore store = new SqlRunStore(db);
    MemoryIncidents incidents = new MemoryIncidents();
    Clock clock = Clock.systemUTC();
    StepKinds kinds = noIo ? StepKinds.standard().with(new NoIo()) : StepKinds.standard();
    VertxScheduler scheduler = new VertxScheduler(vertx, clock);
    TimelineNotifications notifications = new TimelineNotifications(incidents, clock);
    var escalation = TimelineNotifications.escalation(incidents, clock);
    StepServices services =
        new StepServices(
            clock,
            scheduler,
            notifications,
            incidents,
            escalation,
            new HttpRequests(HttpRequests.client(vertx), List.of()),
            vertx.createSharedWorkerExecutor("bench-exec", 1),
            List.of());
    RunbookRegistry registry =
        new RunbookRegistry(
            new VigilConfig.Runbooks(dir.resolve("none"), List.of(), List.of()),
            new SimpleMeterRegistry());
    Engine engine =
        new Engine(
            new Engine.Deps(
                store,
                incidents,
                registry,
                reader,
                kinds,
                services,
                escalation,
                notifications,
                scheduler,
                clock,
                Math::random,
                new SimpleMeterRegistry(),
                Tracing.OFF));
    vertx.deployVerticle(engine).toCompletionStage().toCompletableFuture().get();

    System.gc();
    long heapBefore = usedHeap();
    long t0 = System.nanoTime();
    List<Future<?>> started = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      Incident inc =
          incidents.add(
              new Incident(
                  new IncidentId(i),
                  IncidentStatus.TRIGGERED,
                  Severity.WARNING,
                  "",
                  "eu",
                  "bench " + i,
                  "g" + i,
                  Map.of("alertname", "x", "instance", "host-" + i),
                  1,
                  1,
                  Instant.now(),
                  null,
                  null,
                  null,
                  null,
                  false));
      started.add(engine.start(rb, inc, Rollout.Mode.AUTO, "bench"));
    }
    Future.all(started).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    long createdNanos = System.nanoTime() - t0;
    long[] peak = {0, 0, 0};
    await()
        .pollInterval(Duration.ofMillis(200))
        .atMost(Duration.ofMinutes(20))
        .until(
            () -> {
              peak[0] = Math.max(peak[0], usedHeap());
              peak[1] = Math.max(peak[1], rssKiB());
              peak[2] = Math.max(peak[2], engine.inFlight());
              return engine.inFlight() == 0;
            });
    double seconds = (System.nanoTime() - t0) / 1e9;
    long[] c = store.counters();
    int steps = runs * rb.steps().size();
    long transitions = c[1];
    System.gc();
    String line =
        String.format(
            Locale.ROOT,
            "RESULT case=%s runs=%d steps=%d seconds=%.2f runs_per_s=%.0f steps_per_s=%.0f durable_transitions=%d transitions_per_s=%.0f "
                + "transactions=%d writes_per_tx=%.1f writes_per_step=%.2f create_s=%.2f peak_in_flight=%d heap_peak_mib=%d heap_before_mib=%d "
                + "rss_peak_mib=%d max_heap_mib=%d http_served=%d blocked_warnings=%d",
            name,
            runs,
            steps,
            seconds,
            runs / seconds,
            steps / seconds,
            transitions,
            transitions / seconds,
            c[0],
            (double) c[1] / c[0],
            (double) transitions / steps,
            createdNanos / 1e9,
            peak[2],
            peak[0] >> 20,
            heapBefore >> 20,
            peak[1] >> 10,
            Runtime.getRuntime().maxMemory() >> 20,
            served.get(),
            warnings.list.size());
    System.out.println(line);
    Files.writeString(
        Path.of(System.getProperty("bench.out", "target/engine-bench.txt")),
        line + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    List<String> failed = new ArrayList<>();
    for (int i = 1; i <= Math.min(runs, 50); i++) {
      failed.add(
          engine
              .run(new RunId(i))
              .toCompletionStage()
              .toCompletableFuture()
              .get()
              .orElseThrow()
              .status()
              .wire());
    }
    assertThat(failed).containsOnly("succeeded");
    vertx.close().toCompletionStage().toCompletableFuture().get();
    registry.close();
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long rssKiB() throws Exception {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("VmRSS:"))
        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
        .findFirst()
        .orElse(0L);
  }

  /** An http step that does nothing: what is left is the engine and its durable writes. */
  static final class NoIo implements StepKind {
    private final HttpStep http = new HttpStep();

    @Override
    public String name() {
      return http.name();
    }

    @Override
    public Optional<? extends StepSpec> parse(YamlNode body, SpecReader in) {
      return http.parse(body, in);
    }

    @Override
    public CelType outputType() {
      return http.outputType();
    }

    @Override
    public Map<String, Object> zeroOutput() {
      return http.zeroOutput();
    }

    @Override
    public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
      return Future.succeededFuture(StepOutcome.done(Map.of("status", 200L)));
    }
  }
}
