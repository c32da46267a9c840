package dev.vigil.store;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestStore;
import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import dev.vigil.ha.Leadership;
import dev.vigil.ha.Replica;
import dev.vigil.incident.IncidentId;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.OutboxEntry;
import dev.vigil.oncall.TeamId;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.RunStore;
import dev.vigil.runbook.engine.StepRun;
import dev.vigil.runbook.engine.StepStatus;
import dev.vigil.timer.FakeClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one PostgreSQL database, each with its own pool as two processes would have: work
 * claimed by one is not handed to the other until its lease runs out ([F7]).
 */
class LeasesPostgresTest {
  static final Instant T = Instant.parse("2026-11-30T06:00:00Z");
  static final Duration TTL = Duration.ofSeconds(30);
  static final Replica A = new Replica("replica-a", TTL, true);
  static final Replica B = new Replica("replica-b", TTL, true);

  Vertx vertx;
  Database dbA;
  Database dbB;
  final FakeClock clock = new FakeClock(T);

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    String url = TestStore.createDatabase();
    VigilConfig.Store store =
        new VigilConfig.Store(url, new Secret(""), "FULL", Duration.ofSeconds(5), 4);
    dbA = await(Database.open(vertx, store));
    dbB = await(Database.open(vertx, store));
  }

  @AfterEach
  void close() {
    await(Future.join(dbA.close(), dbB.close()));
    await(vertx.close());
  }

  @Test
  void twoReplicasClaimingTheOutboxAtOnceNeverGetTheSameIntentAndAClaimThatRunsOutGoesToTheOther() {
    SqlOutbox a = new SqlOutbox(dbA, A);
    SqlOutbox b = new SqlOutbox(dbB, B);
    for (int i = 0; i < 40; i++) {
      await(
          a.enqueue(
              new NotificationIntent(
                  "digest:" + i,
                  NotificationIntent.Kind.DIGEST,
                  null,
                  new TeamId("eu"),
                  0,
                  List.of("#ops"),
                  "{}"),
              T));
    }
    List<OutboxEntry> gotA = new ArrayList<>();
    List<OutboxEntry> gotB = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      var fa = a.due(T, 10);
      var fb = b.due(T, 10);
      gotA.addAll(await(fa));
      gotB.addAll(await(fb));
    }
    Set<Long> idsA = ids(gotA);
    Set<Long> idsB = ids(gotB);
    assertThat(idsA).doesNotContainAnyElementsOf(idsB);
    Set<Long> all = new HashSet<>(idsA);
    all.addAll(idsB);
    assertThat(all).as("every intent claimed by one replica").hasSize(40);

    // b does not get what a claimed while the claim lasts; a renews the claims of what it is
    // delivering
    assertThat(await(b.due(T.plusSeconds(29), 100)))
        .extracting(OutboxEntry::id)
        .doesNotContainAnyElementsOf(idsA);
    await(a.renewClaims(T.plusSeconds(20), idsA));
    assertThat(await(b.due(T.plusSeconds(49), 100)))
        .extracting(OutboxEntry::id)
        .doesNotContainAnyElementsOf(idsA);
    // a died: its claims run out 30 s after the last renewal and b delivers its intents
    assertThat(ids(await(b.due(T.plusSeconds(51), 100)))).containsAll(idsA);

    // a recorded attempt ends the claim: the retry goes to whichever replica finds it due
    OutboxEntry first = gotA.get(0);
    await(b.attemptFailed(first, "HTTP 503", T.plusSeconds(60)));
    assertThat(await(a.due(T.plusSeconds(61), 100)))
        .extracting(OutboxEntry::id)
        .contains(first.id());
  }

  @Test
  void aRunHeldByAReplicaIsTakenOverOnlyWhenItsLeaseRunsOutOrIsReleased() {
    SqlRunStore a = new SqlRunStore(dbA, A);
    SqlRunStore b = new SqlRunStore(dbB, B);
    RunId id = await(a.create(run(T)));
    await(a.saveRun(id, RunStatus.RUNNING, T, null, T.plusSeconds(900), null));

    assertThat(await(b.claim(T.plusSeconds(10), true))).as("held by a").isEmpty();
    assertThat(await(a.renew(T.plusSeconds(20)))).containsExactly(id);
    assertThat(await(b.claim(T.plusSeconds(45), false)))
        .as("renewed at +20 s, so held until +50 s")
        .isEmpty();

    List<RunRecord> taken = await(b.claim(T.plusSeconds(51), false));
    assertThat(taken).extracting(RunRecord::id).containsExactly(id);
    assertThat(taken.get(0).steps()).extracting(StepRun::id).containsExactly("wait");
    assertThat(await(a.renew(T.plusSeconds(52))))
        .as("a learns at its next renewal that b holds the run")
        .isEmpty();
    assertThat(await(a.claim(T.plusSeconds(53), false))).isEmpty();

    // a graceful stop releases: the other replica resumes at once
    await(b.release());
    assertThat(await(a.claim(T.plusSeconds(54), false)))
        .extracting(RunRecord::id)
        .containsExactly(id);

    // a replica restarted with the same id takes its own runs back at start
    SqlRunStore a2 = new SqlRunStore(dbB, A);
    assertThat(await(a2.claim(T.plusSeconds(55), true)))
        .extracting(RunRecord::id)
        .containsExactly(id);
  }

  @Test
  void aReplicaThatLostItsRunCannotWriteToItAnyMore() {
    SqlRunStore a = new SqlRunStore(dbA, A);
    SqlRunStore b = new SqlRunStore(dbB, B);
    RunId id = await(a.create(run(T)));
    StepRun waiting =
        new StepRun(
            "wait",
            "wait",
            StepStatus.WAITING,
            1,
            T,
            null,
            T.plusSeconds(600),
            Map.of(),
            null,
            "wait 10m");
    await(
        Future.all(
            a.saveStep(id, waiting),
            a.saveRun(id, RunStatus.RUNNING, T, null, T.plusSeconds(900), null)));
    // a pauses past its lease; b takes the run over and carries on
    assertThat(await(b.claim(T.plusSeconds(31), false)))
        .extracting(RunRecord::id)
        .containsExactly(id);
    StepRun done =
        new StepRun(
            "wait",
            "wait",
            StepStatus.SUCCEEDED,
            1,
            T,
            T.plusSeconds(600),
            null,
            Map.of(),
            null,
            "wait 10m");
    await(b.saveStep(id, done));

    // a wakes up and writes what it was doing: both writes are refused, in a batch with b's
    StepRun late =
        new StepRun(
            "wait",
            "wait",
            StepStatus.FAILED,
            1,
            T,
            T.plusSeconds(40),
            null,
            Map.of(),
            "late",
            "wait 10m");
    var lateStep = a.saveStep(id, late);
    var lateRun = a.saveRun(id, RunStatus.FAILED, T, T.plusSeconds(40), T.plusSeconds(900), "late");
    var bRun = b.saveRun(id, RunStatus.SUCCEEDED, T, T.plusSeconds(600), T.plusSeconds(900), null);
    for (var refused : List.of(lateStep, lateRun)) {
      assertThat(refused.toCompletionStage().toCompletableFuture())
          .failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOf(RunStore.LeaseLost.class)
          .withMessage(
              "run "
                  + id
                  + " is no longer held by replica replica-a: another replica took it over");
    }
    await(bRun);
    RunRecord stored = await(b.get(id)).orElseThrow();
    assertThat(stored.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(stored.error()).isNull();
    assertThat(stored.steps().get(0).status()).isEqualTo(StepStatus.SUCCEEDED);
  }

  @Test
  void oneReplicaLeadsAtATimeAndAnotherTakesOverWhenTheLeaderStopsRenewing() {
    Leadership a = new Leadership(new SqlLeaseStore(dbA), A, clock);
    Leadership b = new Leadership(new SqlLeaseStore(dbB), B, clock);
    assertThat(await(a.renew())).isTrue();
    assertThat(await(b.renew())).isFalse();
    clock.advance(Duration.ofSeconds(20));
    assertThat(await(a.renew())).isTrue();
    clock.advance(Duration.ofSeconds(29));
    assertThat(await(b.renew())).as("a renewed 29 s ago").isFalse();
    clock.advance(Duration.ofSeconds(2));
    assertThat(await(b.renew())).as("a's lease ran out").isTrue();
    assertThat(await(a.renew())).isFalse();
    assertThat(a.isLeader()).isFalse();
    await(b.release());
    assertThat(await(a.renew())).as("released at b's stop").isTrue();
  }

  @Test
  void aConcurrencyLimitHoldsAcrossReplicasAskingAtOnce() {
    SqlRunStore a = new SqlRunStore(dbA, A);
    SqlRunStore b = new SqlRunStore(dbB, B);
    // many keys at once, so that admissions without the lock on the key would race for some of them
    List<RunId> fromA = new ArrayList<>();
    List<RunId> fromB = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fromA.add(await(a.create(keyed(i, "restart/db-" + i))));
      fromB.add(await(b.create(keyed(100 + i, "restart/db-" + i))));
    }
    List<Future<Boolean>> askedA = new ArrayList<>();
    List<Future<Boolean>> askedB = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      askedA.add(a.admit(fromA.get(i), "restart/db-" + i, 1, T, T.plusSeconds(900)));
      askedB.add(b.admit(fromB.get(i), "restart/db-" + i, 1, T, T.plusSeconds(900)));
    }
    List<RunId> waiting = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      boolean gotA = await(askedA.get(i));
      boolean gotB = await(askedB.get(i));
      assertThat(gotA ^ gotB)
          .as("key restart/db-" + i + ": exactly one of the two replicas starts its run")
          .isTrue();
      RunId started = gotA ? fromA.get(i) : fromB.get(i);
      RunId queued = gotA ? fromB.get(i) : fromA.get(i);
      RunRecord stored = await(a.get(started)).orElseThrow();
      assertThat(stored.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(stored.startedAt()).isEqualTo(T);
      assertThat(stored.deadline()).isEqualTo(T.plusSeconds(900));
      assertThat(await(a.get(queued)).orElseThrow().status())
          .as("refused: nothing written")
          .isEqualTo(RunStatus.PENDING);
      waiting.add(queued);
    }

    // key 0: the slot frees when the running run's end is stored, not before; a waiting run holds
    // its slot
    RunId running0 = fromA.get(0).equals(waiting.get(0)) ? fromB.get(0) : fromA.get(0);
    SqlRunStore holder = running0.equals(fromA.get(0)) ? a : b;
    SqlRunStore asker = holder == a ? b : a;
    await(holder.saveRun(running0, RunStatus.WAITING, T, null, T.plusSeconds(900), null));
    assertThat(
            await(
                asker.admit(
                    waiting.get(0), "restart/db-0", 1, T.plusSeconds(1), T.plusSeconds(901))))
        .isFalse();
    await(
        holder.saveRun(
            running0, RunStatus.SUCCEEDED, T, T.plusSeconds(60), T.plusSeconds(900), null));
    assertThat(
            await(
                asker.admit(
                    waiting.get(0), "restart/db-0", 1, T.plusSeconds(61), T.plusSeconds(961))))
        .isTrue();
    assertThat(await(asker.get(waiting.get(0))).orElseThrow().status())
        .isEqualTo(RunStatus.RUNNING);

    // a replica cannot start a run another replica holds
    RunId other = waiting.get(1);
    SqlRunStore notHolder = fromA.contains(other) ? b : a;
    assertThat(
            notHolder
                .admit(other, "restart/db-1", 5, T, T.plusSeconds(900))
                .toCompletionStage()
                .toCompletableFuture())
        .failsWithin(Duration.ofSeconds(30))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(RunStore.LeaseLost.class);

    // limit 2: two runs of a key at once, across the replicas, and not a third; another key is not
    // counted
    RunId first = await(a.create(keyed(200, "drain/web")));
    RunId second = await(b.create(keyed(201, "drain/web")));
    RunId third = await(a.create(keyed(202, "drain/web")));
    RunId elsewhere = await(b.create(keyed(203, "drain/api")));
    assertThat(await(a.admit(first, "drain/web", 2, T, T.plusSeconds(900)))).isTrue();
    assertThat(await(b.admit(second, "drain/web", 2, T, T.plusSeconds(900)))).isTrue();
    assertThat(await(a.admit(third, "drain/web", 2, T, T.plusSeconds(900)))).isFalse();
    assertThat(await(b.admit(elsewhere, "drain/api", 1, T, T.plusSeconds(900)))).isTrue();
  }

  static RunRecord keyed(long incident, String key) {
    return new RunRecord(
        null,
        new IncidentId(incident),
        "restart",
        "v1",
        "restart.yaml",
        "name: restart\n",
        Rollout.Mode.AUTO,
        RunStatus.PENDING,
        key,
        Map.of(),
        T,
        null,
        null,
        null,
        null,
        "auto",
        List.of(StepRun.pending("restart", "http")));
  }

  static Set<Long> ids(List<OutboxEntry> entries) {
    Set<Long> out = new HashSet<>();
    entries.forEach(e -> out.add(e.id()));
    return out;
  }

  static RunRecord run(Instant at) {
    return new RunRecord(
        null,
        new IncidentId(1),
        "r",
        "v1",
        "r.yaml",
        "name: r\n",
        Rollout.Mode.AUTO,
        RunStatus.PENDING,
        null,
        Map.of(),
        at,
        null,
        null,
        null,
        null,
        "dana",
        List.of(StepRun.pending("wait", "wait")));
  }
}
