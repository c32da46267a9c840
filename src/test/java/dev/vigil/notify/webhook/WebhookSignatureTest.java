package dev.vigil.notify.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The signature scheme, against a vector made with openssl as docs/notifications.md shows. */
class WebhookSignatureTest {
  static final String SECRET = "whsec-0123456789abcdef";
  static final byte[] BODY =
      "{\"version\":\"1\",\"action\":\"trigger\"}".getBytes(StandardCharsets.UTF_8);

  /** printf '%s.%s' 1764900000 "$(cat body.json)" | openssl dgst -sha256 -hmac "$SECRET" -hex */
  static final String OPENSSL = "d2e80db4693386c59f087843b503798715a9f35f8fe91d2610b1563d3c26a667";

  @Test
  void theHeaderIsTheTimestampAndTheHmacOfTimestampDotBody() {
    assertThat(WebhookSignature.header(SECRET, 1764900000L, BODY))
        .isEqualTo("t=1764900000,v1=" + OPENSSL);
  }

  @Test
  void verifyAcceptsAGoodSignatureWithinTheToleranceOnly() {
    String h = "t=1764900000,v1=" + OPENSSL;
    assertThat(WebhookSignature.verify(SECRET, h, BODY, 1764900000L + 300, 300)).isTrue();
    assertThat(WebhookSignature.verify(SECRET, h, BODY, 1764900000L + 301, 300))
        .as("too old: a replay")
        .isFalse();
    assertThat(WebhookSignature.verify("another-secret-0123", h, BODY, 1764900000L, 300))
        .as("wrong secret")
        .isFalse();
    assertThat(
            WebhookSignature.verify(
                SECRET, h, "{}".getBytes(StandardCharsets.UTF_8), 1764900000L, 300))
        .as("changed body")
        .isFalse();
    assertThat(
            WebhookSignature.verify(SECRET, "t=1764900001,v1=" + OPENSSL, BODY, 1764900000L, 300))
        .as("changed time")
        .isFalse();
    assertThat(
            WebhookSignature.verify(
                SECRET, "t=1764900000,v1=00,v1=" + OPENSSL, BODY, 1764900000L, 300))
        .as("any v1 may match")
        .isTrue();
    assertThat(WebhookSignature.verify(SECRET, null, BODY, 1764900000L, 300)).isFalse();
    assertThat(WebhookSignature.verify(SECRET, "v1=" + OPENSSL, BODY, 1764900000L, 300))
        .as("no timestamp")
        .isFalse();
  }
}
