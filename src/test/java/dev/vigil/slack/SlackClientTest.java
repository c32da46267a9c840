package dev.vigil.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.config.VigilConfig;
import dev.vigil.fake.FakeSlack;
import dev.vigil.notify.Circuit;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SlackClientTest {

  /**
   * The SDK resolves a token's team with a blocking {@code auth.test} the first time the token is
   * used, on the thread that starts the call. While Slack holds that answer, the event loop that
   * asked must stay free.
   */
  @Test
  void aCallStartedOnAnEventLoopNeverBlocksItWhileTheSdkResolvesItsTeam() {
    // the SDK caches a token's team JVM-wide: a token of its own makes this the first use
    String token = "xoxb-" + UUID.randomUUID();
    Vertx vertx = Vertx.vertx();
    try (FakeSlack slack = new FakeSlack(token).hold("auth.test", 1)) {
      SlackClient client =
          new SlackClient(
              vertx,
              slack.apiUrl(),
              token,
              new Circuit(
                  vertx,
                  "slack",
                  new VigilConfig.Breaker(
                      5, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(1)),
                  -1,
                  null),
              30_000,
              5_000);
      Context loop = vertx.getOrCreateContext();
      AtomicReference<Future<SlackClient.Posted>> posted = new AtomicReference<>();
      loop.runOnContext(v -> posted.set(client.post("#ops-eu", "hello", null)));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !slack.calls().isEmpty() && posted.get() != null);
      assertThat(slack.calls()).extracting(FakeSlack.Call::method).containsExactly("auth.test");

      // auth.test is still unanswered: a task on the same event loop runs all the same
      AtomicBoolean free = new AtomicBoolean();
      loop.runOnContext(v -> free.set(true));
      await().atMost(Duration.ofSeconds(10)).untilTrue(free);

      slack.releaseHeld();
      await().atMost(Duration.ofSeconds(10)).until(() -> posted.get().isComplete());
      assertThat(posted.get().succeeded()).as("%s", posted.get().cause()).isTrue();
      assertThat(slack.messages("#ops-eu")).hasSize(1);
      client.close();
    } finally {
      vertx.close();
    }
  }
}
