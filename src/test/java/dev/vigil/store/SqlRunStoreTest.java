package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.IncidentId;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.RunStore;
import dev.vigil.runbook.engine.StepRun;
import dev.vigil.runbook.engine.StepStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The V3 schema and the run store on both dialects: runs created in one group commit get distinct
 * ids, step transitions and outputs read back as written, unfinished runs and outcomes are found,
 * an incident gets one automatic run, and guard trips are upserted. PostgreSQL: 127.0.0.1:5432,
 * user postgres, a database per test; skipped with a message when no server answers, except under
 * CI=true.
 */
class SqlRunStoreTest {
  static final Instant T = Instant.parse("2026-11-29T06:00:00Z");

  @TempDir Path dir;

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void runsAndStepsRoundTrip(String dialect) {
    Vertx vertx = Vertx.vertx();
    Pool admin = null;
    String database = null;
    Database db = null;
    try {
      String url;
      if (dialect.equals("sqlite")) {
        url = "sqlite:" + dir.resolve("runs.db");
      } else {
        admin =
            PgBuilder.pool()
                .connectingTo(
                    new PgConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(5432)
                        .setUser("postgres")
                        .setDatabase("postgres"))
                .using(vertx)
                .build();
        database = "vigil_f4_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
          await(admin.query("CREATE DATABASE " + database).execute());
        } catch (RuntimeException e) {
          boolean ci = "true".equals(System.getenv("CI"));
          if (!ci) {
            System.err.println(
                "SqlRunStoreTest[postgres] skipped: no PostgreSQL on 127.0.0.1:5432 ("
                    + e.getMessage()
                    + ")");
          }
          Assumptions.assumeTrue(ci, "no PostgreSQL on 127.0.0.1:5432");
          throw e;
        }
        url = "postgresql://postgres@127.0.0.1:5432/" + database;
      }
      db =
          await(
              Database.open(
                  vertx,
                  new VigilConfig.Store(url, new Secret(""), "FULL", Duration.ofSeconds(5), 4)));
      SqlRunStore store = new SqlRunStore(db);

      List<Future<RunId>> created = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        created.add(store.create(record(i, 7, i == 1 ? "auto" : "dana")));
      }
      List<RunId> ids = created.stream().map(SqlRunStoreTest::await).toList();
      assertThat(ids).doesNotHaveDuplicates().hasSize(3);
      RunId a = ids.get(0);

      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", 200L);
      out.put("json", Map.of("n", 1.5, "list", List.of(1L, "x")));
      out.put("none", null);
      await(
          Future.all(
              store.saveStep(
                  a,
                  new StepRun(
                      "first",
                      "http",
                      StepStatus.SUCCEEDED,
                      2,
                      T,
                      T.plusSeconds(3),
                      null,
                      out,
                      null,
                      "GET http://x/")),
              store.saveStep(
                  a,
                  new StepRun(
                      "second",
                      "wait",
                      StepStatus.WAITING,
                      1,
                      T.plusSeconds(3),
                      null,
                      T.plusSeconds(63),
                      Map.of(),
                      null,
                      "wait 1m")),
              store.saveRun(a, RunStatus.RUNNING, T, null, T.plusSeconds(900), null),
              store.saveRun(
                  ids.get(1),
                  RunStatus.FAILED,
                  T,
                  T.plusSeconds(5),
                  T.plusSeconds(900),
                  "first: HTTP 500"),
              store.saveRun(
                  ids.get(2), RunStatus.SUCCEEDED, T, T.plusSeconds(6), T.plusSeconds(900), null)));

      RunRecord got = await(store.get(a)).orElseThrow();
      assertThat(got.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(got.source()).isEqualTo("name: r\n");
      assertThat(got.bindings())
          .isEqualTo(
              Map.of(
                  "alert",
                  Map.of("labels", Map.of("instance", "host-1")),
                  "vars",
                  Map.of("n", 3L)));
      assertThat(got.deadline()).isEqualTo(T.plusSeconds(900));
      assertThat(got.steps()).extracting(StepRun::id).containsExactly("first", "second");
      assertThat(got.steps().get(0))
          .isEqualTo(
              new StepRun(
                  "first",
                  "http",
                  StepStatus.SUCCEEDED,
                  2,
                  T,
                  T.plusSeconds(3),
                  null,
                  out,
                  null,
                  "GET http://x/"));
      assertThat(got.steps().get(1).wakeAt()).isEqualTo(T.plusSeconds(63));

      assertThat(await(store.unfinished())).extracting(RunRecord::id).containsExactly(a);
      assertThat(await(store.forIncident(new IncidentId(7))))
          .extracting(RunRecord::id)
          .containsExactlyElementsOf(ids);
      assertThat(await(store.recentOutcomes("r", "v1", 10)))
          .containsExactly(RunStatus.SUCCEEDED, RunStatus.FAILED);
      assertThat(await(store.recentOutcomes("r", "v1", 1))).containsExactly(RunStatus.SUCCEEDED);

      // one automatic run per incident, kept by the database: a second is refused without failing
      // its batch
      Future<RunId> again = store.create(record(4, 7, "auto"));
      Future<RunId> other = store.create(record(5, 8, "auto"));
      assertThat(again.toCompletionStage().toCompletableFuture())
          .failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOf(RunStore.AlreadyDecided.class)
          .withMessage("incident INC-7 already has its automatic run");
      RunId eight = await(other);
      assertThat(await(store.forIncident(new IncidentId(7))))
          .extracting(RunRecord::id)
          .containsExactlyElementsOf(ids);
      assertThat(await(store.get(eight)).orElseThrow().steps()).hasSize(2);

      await(store.trip("r", "v1", "too many failures", T));
      await(store.trip("r", "v2", "again", T.plusSeconds(1)));
      assertThat(await(store.trips()))
          .isEqualTo(Map.of("r", new RunStore.Trip("v2", "again", T.plusSeconds(1))));
    } finally {
      if (db != null) {
        await(db.close());
      }
      if (admin != null) {
        if (database != null) {
          try {
            await(admin.query("DROP DATABASE IF EXISTS " + database).execute());
          } catch (RuntimeException ignored) {
            // never created
          }
        }
        await(admin.close());
      }
      await(vertx.close());
    }
  }

  static RunRecord record(int i, long incident, String by) {
    return new RunRecord(
        null,
        new IncidentId(incident),
        "r",
        "v1",
        "runbooks/r.yaml",
        "name: r\n",
        Rollout.Mode.AUTO,
        RunStatus.PENDING,
        "r/host-1",
        Map.of("alert", Map.of("labels", Map.of("instance", "host-1")), "vars", Map.of("n", 3L)),
        T.plusSeconds(i),
        null,
        null,
        null,
        null,
        by,
        List.of(StepRun.pending("first", "http"), StepRun.pending("second", "wait")));
  }
}
