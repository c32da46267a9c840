package dev.vigil.notify;

import static dev.vigil.timer.FakeScheduler.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacerTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    await(vertx.close());
  }

  @Test
  void workQueuedUnderOneKeyCoalescesAndEveryCallerGetsTheLatestResult() {
    Pacer pacer = new Pacer(vertx, Duration.ofMillis(100));
    List<Integer> ran = new CopyOnWriteArrayList<>();
    Promise<Void> gate = Promise.promise();
    Promise<Void> started = Promise.promise();
    // the first call holds the lane once it runs, so the next ten wait and coalesce into one
    Future<Integer> first =
        pacer.submit(
            "#ops",
            "INC-1",
            () -> {
              started.tryComplete();
              return gate.future()
                  .map(
                      v -> {
                        ran.add(0);
                        return 0;
                      });
            });
    await(started.future());
    List<Future<Integer>> later = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      int n = i;
      later.add(
          pacer.submit(
              "#ops",
              "INC-1",
              () -> {
                ran.add(n);
                return Future.succeededFuture(n);
              }));
    }
    gate.complete();
    assertThat(await(first)).isZero();
    for (Future<Integer> f : later) {
      assertThat(await(f)).isEqualTo(10);
    }
    assertThat(ran).containsExactly(0, 10);
  }

  @Test
  void callsInOneLaneAreSpacedButOtherLanesDoNotWait() {
    Pacer pacer = new Pacer(vertx, Duration.ofMillis(200));
    List<Long> starts = new CopyOnWriteArrayList<>();
    List<Future<Long>> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      all.add(pacer.submit("#a", null, () -> Future.succeededFuture(record(starts))));
    }
    long otherLane =
        await(pacer.submit("#b", null, () -> Future.succeededFuture(System.nanoTime())));
    List<Long> a = new ArrayList<>();
    all.forEach(f -> a.add(await(f)));
    assertThat((a.get(1) - a.get(0)) / 1_000_000).isGreaterThanOrEqualTo(195);
    assertThat((a.get(2) - a.get(1)) / 1_000_000).isGreaterThanOrEqualTo(195);
    assertThat((otherLane - a.get(0)) / 1_000_000)
        .as("lane #b did not queue behind #a")
        .isLessThan(150);
  }

  private static long record(List<Long> starts) {
    long t = System.nanoTime();
    starts.add(t);
    return t;
  }
}
