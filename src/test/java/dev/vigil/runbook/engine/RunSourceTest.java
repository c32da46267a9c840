package dev.vigil.runbook.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.vigil.Daemon;
import dev.vigil.TestDaemon;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run stores the text of the runbook version that runs, taken from the loaded {@link Runbook}:
 * the file on disk may have changed or gone since the load, and starting a run never reads it.
 */
class RunSourceTest extends EngineScenario {
  private TestDaemon d;
  private final AtomicReference<IncidentStore> incidents = new AtomicReference<>();

  @AfterEach
  void stop() {
    if (d != null) {
      d.close();
    }
  }

  /**
   * Manual mode: the alert opens an incident and offers the runbook, and the test starts the run
   * itself.
   */
  private String v1() {
    return rb(
        "pinned",
        """
        rollout: {mode: manual}
        steps:
          - {id: call, http: {url: "$BASE/v1"}}
        """);
  }

  private Path file() {
    return dir.resolve("runbooks/pinned.yaml");
  }

  /** Starts the daemon with {@link #v1()} loaded and returns the loaded runbook. */
  private Runbook loaded() throws Exception {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), v1());
    d =
        TestDaemon.startProbed(
            dir,
            "",
            Map.of(),
            Clock.systemUTC(),
            new Daemon.Probes(
                List.of(),
                s -> {
                  incidents.set(s);
                  return s;
                }));
    Runbook rb = d.daemon.runbooks().byName("pinned").orElseThrow();
    assertThat(rb.source()).isEqualTo(v1());
    assertThat(rb.version())
        .isEqualTo(RunbookReader.version(v1().getBytes(StandardCharsets.UTF_8)));
    return rb;
  }

  private Incident incident() throws Exception {
    var r =
        d.post(
            "/api/v1/alerts",
            "[{\"labels\": {\"alertname\": \"pinned\"}, \"annotations\": {\"summary\": \"test\"}}]");
    assertThat(r.statusCode()).isEqualTo(202);
    IncidentId id =
        IncidentId.parse(new JsonObject(r.body()).getJsonArray("incidents").getString(0))
            .orElseThrow();
    return get(incidents.get().get(id)).orElseThrow();
  }

  private RunRecord started(Runbook rb, Incident incident) throws Exception {
    return get(d.daemon.engine().start(rb, incident, Rollout.Mode.AUTO, "test"));
  }

  private RunRecord stored(RunId id) throws Exception {
    return get(d.daemon.engine().run(id)).orElseThrow();
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void aRunStoresTheLoadedTextEvenWhenTheFileChangedSinceTheLoad() throws Exception {
    server.ok("/v1", "{}").ok("/v2", "{}");
    Runbook rb = loaded();
    Incident incident = incident();
    String v2 = v1().replace("/v1", "/v2");
    Files.writeString(file(), v2); // on disk now, not loaded: the run is of rb, so of v1

    RunRecord run = started(rb, incident);

    assertThat(run.source()).isEqualTo(v1());
    assertThat(run.version()).isEqualTo(rb.version());
    RunRecord done =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> stored(run.id()), r -> r.status() == RunStatus.SUCCEEDED);
    assertThat(done.source()).as("the stored text is the version that ran").isEqualTo(v1());
    assertThat(RunbookReader.version(done.source().getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(done.version());
    assertThat(server.count("/v1")).isEqualTo(1);
    assertThat(server.count("/v2")).isZero();
  }

  @Test
  void aRunStartsAndStoresItsTextWhenTheFileIsGone() throws Exception {
    server.ok("/v1", "{}");
    Runbook rb = loaded();
    Incident incident = incident();
    Files.delete(file());

    RunRecord run = started(rb, incident);

    assertThat(run.source()).isEqualTo(v1());
    RunRecord done =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> stored(run.id()), r -> r.status() == RunStatus.SUCCEEDED);
    assertThat(done.source()).isEqualTo(v1());
    assertThat(server.count("/v1")).isEqualTo(1);
  }

  /**
   * The engine runs on the event loop and the runbook API answers there: neither may touch files.
   */
  @Test
  void theEngineAndTheRunbookApiNeverReadFiles() {
    noClasses()
        .that()
        .resideInAPackage("dev.vigil.runbook.engine..")
        .or()
        .haveFullyQualifiedName("dev.vigil.http.RunbookApi")
        .should()
        .accessClassesThat()
        .haveFullyQualifiedName(Files.class.getName())
        .because(
            "a run takes its runbook's text from the loaded Runbook; files are read by the registry's worker at a load")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.vigil.runbook.engine", "dev.vigil.http"));
  }
}
