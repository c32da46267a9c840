package dev.vigil.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.config.VigilConfig;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Severity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunbookRegistryTest {
  @TempDir Path dir;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  RunbookRegistry registry;

  static String runbook(String name, String alertname, String waitFor) {
    return """
        name: %s
        match: ['alertname = "%s"']
        steps:
          - id: pause
            wait: %s
        """
        .formatted(name, alertname, waitFor);
  }

  static Incident incident(long id, Map<String, String> labels, String type) {
    return new Incident(
        new IncidentId(id),
        IncidentStatus.TRIGGERED,
        Severity.WARNING,
        type,
        null,
        "t",
        "g",
        labels,
        1,
        1,
        Instant.parse("2026-11-29T05:00:00Z"),
        null,
        null,
        null,
        null,
        false);
  }

  RunbookRegistry registry() {
    registry =
        new RunbookRegistry(
            new VigilConfig.Runbooks(dir, List.of(), List.of()), meters, Duration.ofMillis(50));
    return registry;
  }

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  double reloadErrors() {
    return meters.get("vigil.runbook.reload.errors").counter().count();
  }

  @Test
  void badEditIsRejectedWhileTheLastGoodVersionServesThenAFixLoadsWithANewVersion()
      throws Exception {
    Path file = dir.resolve("disk.yaml");
    Files.writeString(file, runbook("disk", "DiskFull", "1s"));
    RunbookRegistry r = registry();
    r.load();
    String v1 = r.byName("disk").orElseThrow().version();
    Incident inc = incident(1, Map.of("alertname", "DiskFull"), "disk");

    Files.writeString(file, runbook("disk", "DiskFull", "soon"));
    RunbookRegistry.ReloadResult bad = r.reload().toCompletionStage().toCompletableFuture().get();

    assertThat(bad.errors())
        .extracting(Object::toString)
        .containsExactly(
            "runbooks-test/disk.yaml:5:11: steps[0].wait: \"soon\" is not a duration (write e.g. 500ms, 30s, 5m, 1h30m, 2d)"
                .replace("runbooks-test", dir.getFileName().toString()));
    assertThat(r.select(inc)).map(s -> s.runbook().version()).contains(v1);
    RunbookCatalog.Entry entry = r.catalog().entry(file).orElseThrow();
    assertThat(entry.valid()).isFalse();
    assertThat(entry.serving()).map(Runbook::version).contains(v1);
    assertThat(reloadErrors()).isEqualTo(1.0);

    Files.writeString(file, runbook("disk", "DiskFull", "2s"));
    RunbookRegistry.ReloadResult good = r.reload().toCompletionStage().toCompletableFuture().get();
    assertThat(good.ok()).isTrue();
    String v2 = r.select(inc).orElseThrow().runbook().version();
    assertThat(v2).isNotEqualTo(v1);
    assertThat(r.catalog().entry(file).orElseThrow().valid()).isTrue();
  }

  @Test
  void theWatcherReloadsEditsAndDeletionsOnItsOwn() throws Exception {
    Path file = dir.resolve("svc.yaml");
    Files.writeString(file, runbook("svc", "ServiceDown", "1s"));
    RunbookRegistry r = registry();
    r.load();
    r.watch();
    String v1 = r.byName("svc").orElseThrow().version();

    Files.writeString(file, runbook("svc", "ServiceDown", "3s"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> r.byName("svc").map(Runbook::version).filter(v -> !v.equals(v1)).isPresent());

    Files.writeString(dir.resolve("other.yaml"), runbook("other", "Other", "1s"));
    await().atMost(Duration.ofSeconds(20)).until(() -> r.byName("other").isPresent());

    Files.delete(file);
    await().atMost(Duration.ofSeconds(20)).until(() -> r.byName("svc").isEmpty());
    assertThat(r.catalog().entries())
        .extracting(RunbookCatalog.Entry::name)
        .containsExactly("other");
  }

  @Test
  void readersNeverSeeAnEmptyOrHalfUpdatedRegistryDuringReloads() throws Exception {
    for (int i = 0; i < 5; i++) {
      Files.writeString(dir.resolve("rb" + i + ".yaml"), runbook("rb" + i, "A" + i, "1s"));
    }
    RunbookRegistry r = registry();
    r.load();
    Thread reader =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                RunbookCatalog c = r.catalog();
                assertThat(c.runbooks()).hasSize(5);
              }
            });
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    reader.setUncaughtExceptionHandler((t, e) -> failures.add(e));
    reader.start();
    for (int round = 0; round < 20; round++) {
      int n = round;
      IntStream.range(0, 5)
          .forEach(
              i -> {
                try {
                  // alternate valid and invalid edits: an invalid one keeps its last good version
                  Files.writeString(
                      dir.resolve("rb" + i + ".yaml"),
                      runbook("rb" + i, "A" + i, n % 2 == 0 ? (n + 1) + "s" : "never"));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      r.reload().toCompletionStage().toCompletableFuture().get();
    }
    reader.interrupt();
    reader.join();
    assertThat(failures).isEmpty();
  }

  @Test
  void aRenameIntoAnotherRunbooksNameIsRejectedAndTheHolderKeepsIt() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), runbook("restart", "ServiceDown", "1s"));
    Files.writeString(dir.resolve("b.yaml"), runbook("other", "Other", "1s"));
    RunbookRegistry r = registry();
    r.load();
    Files.writeString(dir.resolve("b.yaml"), runbook("restart", "Other", "2s"));
    RunbookRegistry.ReloadResult res = r.reload().toCompletionStage().toCompletableFuture().get();
    assertThat(res.errors())
        .extracting(Object::toString)
        .singleElement()
        .asString()
        .endsWith(
            "b.yaml:1:7: name: runbook \"restart\" is also defined in "
                + dir.getFileName()
                + "/a.yaml");
    assertThat(r.byName("restart").orElseThrow().file()).isEqualTo(dir.resolve("a.yaml"));
    assertThat(r.byName("other")).isPresent(); // b.yaml's last good version still serves
  }

  @Test
  void selectsTheMostSpecificMatchAndAppliesThePercentRollout() throws Exception {
    Files.writeString(dir.resolve("generic.yaml"), runbook("generic", "DiskFull", "1s"));
    Files.writeString(
        dir.resolve("specific.yaml"),
        """
        name: specific
        match: ['alertname = "DiskFull"', 'env = "prod"']
        rollout: { percent: 30 }
        steps:
          - id: pause
            wait: 1s
        """);
    Files.writeString(
        dir.resolve("typed.yaml"),
        """
        name: typed
        type: certificate
        steps:
          - id: pause
            wait: 1s
        """);
    RunbookRegistry r = registry();
    r.load();
    assertThat(
            r.select(incident(1, Map.of("alertname", "DiskFull"), "disk"))
                .map(s -> s.runbook().name()))
        .contains("generic");
    assertThat(
            r.select(incident(1, Map.of("alertname", "DiskFull", "env", "prod"), "disk"))
                .map(s -> s.runbook().name()))
        .contains("specific");
    assertThat(
            r.select(incident(1, Map.of("alertname", "CertExpiring"), "certificate"))
                .map(s -> s.runbook().name()))
        .contains("typed");
    assertThat(r.select(incident(1, Map.of("alertname", "Nope"), "x"))).isEmpty();

    long auto =
        IntStream.rangeClosed(1, 1000)
            .mapToObj(
                i ->
                    r.select(incident(i, Map.of("alertname", "DiskFull", "env", "prod"), "disk"))
                        .orElseThrow()
                        .mode())
            .filter(m -> m == Rollout.Mode.AUTO)
            .count();
    assertThat(auto).isBetween(250L, 350L);
    // stable: the same incident always gets the same mode
    Rollout.Mode first =
        r.select(incident(42, Map.of("alertname", "DiskFull", "env", "prod"), "disk"))
            .orElseThrow()
            .mode();
    assertThat(
            r.select(incident(42, Map.of("alertname", "DiskFull", "env", "prod"), "disk"))
                .orElseThrow()
                .mode())
        .isEqualTo(first);
  }
}
