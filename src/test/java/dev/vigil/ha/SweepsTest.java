package dev.vigil.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.timer.FakeClock;
import dev.vigil.timer.FakeScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The background loop, on a fake clock and scheduler, with a lease store the test decides. */
class SweepsTest {
  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
  private static final Duration FIVE = Duration.ofSeconds(5);

  private final FakeClock clock = new FakeClock(T0);
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final Leases leases = new Leases();

  /** The lease store: grants the leader lease while {@link #grant} is true. */
  private static final class Leases implements LeaseStore {
    volatile boolean grant;

    @Override
    public Future<Boolean> acquire(String name, String owner, Instant now, Instant expires) {
      return Future.succeededFuture(grant);
    }

    @Override
    public Future<Void> release(String name, String owner) {
      return Future.succeededFuture();
    }
  }

  /** A replica sharing its store: leases of 30 s, renewed every 10 s. */
  private Leadership shared() {
    return new Leadership(leases, new Replica("a", Duration.ofSeconds(30), true), clock);
  }

  private Sweeps loop(Leadership leadership, Sweep... sweeps) {
    return new Sweeps(List.of(sweeps), leadership, scheduler, clock, metrics);
  }

  /** A sweep that counts its runs and succeeds at once. */
  private static Sweep counting(Sweep.Scope scope, String name, Duration every, AtomicInteger n) {
    return new Sweep.Of(
        name,
        scope,
        every,
        () -> {
          n.incrementAndGet();
          return Future.succeededFuture();
        });
  }

  private double runs(String sweep, String outcome) {
    var c = metrics.find("vigil_sweep_runs_total").tag("sweep", sweep).tag("outcome", outcome);
    return c.counter() == null ? 0 : c.counter().count();
  }

  @Test
  void everySweepRunsAtStartThenAtItsInterval() {
    AtomicInteger fast = new AtomicInteger();
    AtomicInteger slow = new AtomicInteger();
    Sweeps sweeps =
        loop(
            shared(),
            counting(Sweep.Scope.EVERY_REPLICA, "fast", FIVE, fast),
            counting(Sweep.Scope.EVERY_REPLICA, "slow", Duration.ofMinutes(1), slow));
    sweeps.start();
    scheduler.runDue();
    assertThat(fast).hasValue(1);
    assertThat(slow).hasValue(1);

    scheduler.advance(Duration.ofSeconds(12)); // runs at +5 and +10
    assertThat(fast).hasValue(3);
    assertThat(slow).hasValue(1);
    scheduler.advance(Duration.ofSeconds(48)); // to +60
    assertThat(fast).hasValue(13);
    assertThat(slow).hasValue(2);
    assertThat(runs("fast", "ok")).isEqualTo(13);
    assertThat(metrics.find("vigil_sweep_duration").tag("sweep", "fast").timer().count())
        .isEqualTo(13);
    // the leadership renewal is a sweep like the others, every third of the lease
    assertThat(runs(Sweeps.LEADERSHIP, "ok")).isEqualTo(7);
    assertThat(sweeps.sweeps())
        .extracting(Sweep::name)
        .containsExactly(Sweeps.LEADERSHIP, "fast", "slow");
  }

  @Test
  void leaderSweepsWaitOnAFollowerAndStartWhenLeadershipIsGained() {
    AtomicInteger leader = new AtomicInteger();
    AtomicInteger everyone = new AtomicInteger();
    Sweeps sweeps =
        loop(
            shared(),
            counting(Sweep.Scope.LEADER, "lost-decisions", Duration.ofSeconds(10), leader),
            counting(Sweep.Scope.EVERY_REPLICA, "claims", Duration.ofSeconds(10), everyone));
    sweeps.start();
    scheduler.advance(Duration.ofSeconds(35)); // a follower: renewals at 0, 10, 20, 30
    assertThat(leader).hasValue(0);
    assertThat(everyone).hasValue(4);
    assertThat(runs("lost-decisions", "ok")).isZero();

    leases.grant = true;
    scheduler.advanceTo(T0.plusSeconds(40)); // the renewal at 40 takes the lease
    assertThat(leader).hasValue(1);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(leader).hasValue(2);

    leases.grant = false; // another replica took over
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(leader).hasValue(2);
    assertThat(everyone).hasValue(9);

    leases.grant = true;
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(leader).hasValue(3);
  }

  @Test
  void aProcessAloneLeadsFromTheStart() {
    AtomicInteger leader = new AtomicInteger();
    Sweeps sweeps =
        loop(
            new Leadership(leases, Replica.alone(), clock),
            counting(Sweep.Scope.LEADER, "lost-decisions", Duration.ofSeconds(10), leader));
    sweeps.start();
    scheduler.runDue();
    assertThat(leader).hasValue(1);
    scheduler.advance(Duration.ofSeconds(20));
    assertThat(leader).hasValue(3);
  }

  @Test
  void aFailingSweepIsLoggedAndCountedAndStopsNothing() {
    AtomicInteger thrown = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger fine = new AtomicInteger();
    try (LogCapture logs = new LogCapture(Level.WARN)) {
      Sweeps sweeps =
          loop(
              shared(),
              new Sweep.Of(
                  "throws",
                  Sweep.Scope.EVERY_REPLICA,
                  FIVE,
                  () -> {
                    thrown.incrementAndGet();
                    throw new IllegalStateException("boom");
                  }),
              new Sweep.Of(
                  "fails",
                  Sweep.Scope.EVERY_REPLICA,
                  FIVE,
                  () -> {
                    failed.incrementAndGet();
                    return Future.failedFuture("store down");
                  }),
              counting(Sweep.Scope.EVERY_REPLICA, "fine", FIVE, fine));
      sweeps.start();
      scheduler.advance(Duration.ofSeconds(10));

      assertThat(thrown).hasValue(3);
      assertThat(failed).hasValue(3);
      assertThat(fine).hasValue(3);
      assertThat(runs("throws", "failed")).isEqualTo(3);
      assertThat(runs("fails", "failed")).isEqualTo(3);
      assertThat(runs("fails", "ok")).isZero();
      assertThat(runs("fine", "ok")).isEqualTo(3);
      assertThat(logs.text())
          .contains("sweep throws failed (tried again at " + T0.plusSeconds(15) + "): boom")
          .contains("sweep fails failed (tried again at " + T0.plusSeconds(15) + "): store down")
          .contains("sweep=fails")
          .doesNotContain("sweep fine");
    }
  }

  @Test
  void aSweepNeverOverlapsItself() {
    List<Promise<Void>> calls = new ArrayList<>();
    AtomicInteger other = new AtomicInteger();
    Sweeps sweeps =
        loop(
            shared(),
            new Sweep.Of(
                "slow",
                Sweep.Scope.EVERY_REPLICA,
                FIVE,
                () -> {
                  Promise<Void> p = Promise.promise();
                  calls.add(p);
                  return p.future();
                }),
            counting(Sweep.Scope.EVERY_REPLICA, "other", FIVE, other));
    sweeps.start();
    scheduler.advance(Duration.ofSeconds(30)); // six intervals while the first run hangs
    assertThat(calls).hasSize(1);
    assertThat(other).hasValue(7);

    calls.get(0).complete(); // took 30 s: the next run starts at once
    scheduler.runDue();
    assertThat(calls).hasSize(2);
    scheduler.advance(FIVE);
    assertThat(calls).hasSize(2); // the second run still goes on

    calls.get(1).complete();
    scheduler.advance(FIVE); // due 5 s after the second run started: at +35, passed already
    assertThat(calls).hasSize(3);
    assertThat(runs("slow", "ok")).isEqualTo(2);
  }

  @Test
  void stopCancelsEveryAlarmAndWaitsForTheRunsInFlight() {
    List<Promise<Void>> calls = new ArrayList<>();
    AtomicInteger other = new AtomicInteger();
    Sweeps sweeps =
        loop(
            shared(),
            new Sweep.Of(
                "slow",
                Sweep.Scope.EVERY_REPLICA,
                FIVE,
                () -> {
                  Promise<Void> p = Promise.promise();
                  calls.add(p);
                  return p.future();
                }),
            counting(Sweep.Scope.EVERY_REPLICA, "other", FIVE, other));
    sweeps.start();
    scheduler.runDue();

    Future<Void> stopped = sweeps.stop();
    assertThat(scheduler.pending()).isEmpty();
    assertThat(stopped.isComplete()).isFalse();
    calls.get(0).complete();
    assertThat(stopped.succeeded()).isTrue();

    scheduler.advance(Duration.ofMinutes(1));
    assertThat(calls).hasSize(1);
    assertThat(other).hasValue(1);
    assertThat(scheduler.pending()).isEmpty();
    sweeps.start(); // a stopped loop stays stopped
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(other).hasValue(1);
  }

  @Test
  void namesAreUnique() {
    AtomicInteger n = new AtomicInteger();
    assertThatThrownBy(
            () ->
                loop(
                    shared(),
                    counting(Sweep.Scope.EVERY_REPLICA, "x", FIVE, n),
                    counting(Sweep.Scope.LEADER, "x", FIVE, n)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two sweeps are named x");
    assertThatThrownBy(
            () -> loop(shared(), counting(Sweep.Scope.EVERY_REPLICA, "zero", Duration.ZERO, n)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
