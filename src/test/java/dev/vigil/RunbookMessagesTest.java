package dev.vigil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.fake.FakeSlack;
import dev.vigil.fake.NotifyConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A runbook's {@code slack} step is delivered through the notification outbox to Slack. */
class RunbookMessagesTest {
  static final String TOKEN = "xoxb-test-token";

  @TempDir
  Path dir;

  @Test
  void aSlackStepPostsToTheTeamChannelOnce() throws Exception {
    try (FakeSlack slack = new FakeSlack(TOKEN)) {
      // a delivery that fails under load is retried within a second, not the default 30 s
      String vigil = "slack: {botToken: \"" + TOKEN + "\", apiUrl: \"" + slack.apiUrl() + "\", opsChannel: \"#vigil-ops\"}\n"
          + "notify:\n  retry: {maxAttempts: 8, initialDelay: 1s, maxDelay: 2s}\n";
      NotifyConfig.write(dir, NotifyConfig.slack("#ops-eu"), vigil);
      Files.writeString(dir.resolve("runbooks/tell.yaml"), """
          name: tell
          match: ['alertname = "Checkout"']
          onSuccess: none
          onFailure: none
          steps:
            - id: tell
              slack:
                text: "Looking at ${{ alert.labels.service }} on ${{ alert.labels.instance }}"
          """);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC())) {
        assertThat(d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("Checkout")).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.messages("#ops-eu").stream()
            .anyMatch(m -> m.text().contains("Looking at checkout on host-1")));
        JsonObject inc = new JsonObject(d.get("/api/v1/incidents/INC-1").body());
        assertThat(inc.getJsonArray("runs").getJsonObject(0).getString("runbook")).isEqualTo("tell");
        assertThat(slack.messages("#ops-eu").stream().filter(m -> m.text().contains("Looking at")).count()).isEqualTo(1);
      }
    }
  }
}
