package dev.vigil.notify.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpClosedException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A delivery's error, which reaches the timeline and the log, never carries the receiver's path or
 * query.
 */
class WebhookErrorTextTest {
  static final String URL = "https://hooks.example/v1/hook-3f9a1c?token=abc123secret";

  @Test
  void aTimeoutSaysSoWithoutThePathOrQuery() {
    // the message Vert.x 5 gives a request timeout
    String m =
        WebhookNotifier.describe(
            new TimeoutException(
                "The timeout period of 10000ms has been exceeded while executing POST /v1/hook-3f9a1c?token=abc123secret for server hooks.example:443"),
            URL);
    assertThat(m)
        .startsWith("timed out: ")
        .doesNotContain("abc123secret")
        .doesNotContain("hook-3f9a1c")
        .contains("for server hooks.example:443");
  }

  @Test
  void anyOtherErrorLosesThePathAndQueryToo() {
    String m =
        WebhookNotifier.describe(
            new RuntimeException("failed POST /v1/hook-3f9a1c?token=abc123secret: reset"), URL);
    assertThat(m).doesNotContain("abc123secret").doesNotContain("hook-3f9a1c").contains("reset");
    assertThat(WebhookNotifier.describe(new HttpClosedException("Connection was closed"), URL))
        .isEqualTo("Connection was closed");
  }
}
