package dev.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.TestDaemon;
import dev.vigil.incident.AlertIntake;
import dev.vigil.web.BadRequest;
import dev.vigil.web.JsonBody;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The webhook's fast path (read off the token stream) gives exactly what the tree reader gives, and
 * hands anything unusual to it, so every refusal keeps its message.
 */
class AlertParserStreamTest {
  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theFastPathReadsWhatTheTreeReads() {
    for (String name :
        List.of("webhooks/webhook-v4-1alert.json", "webhooks/webhook-v4-10alerts.json")) {
      byte[] body = bytes(TestDaemon.resource(name));
      List<AlertIntake> streamed = JsonBody.stream(body, AlertParser::streamWebhook);
      assertThat(streamed).as(name + " read by the fast path").isNotNull();
      assertThat(AlertParser.webhook(body)).as(name).isEqualTo(AlertParser.webhookTree(body));
    }
  }

  @Test
  void unusualButValidBodiesReadTheSameEitherWay() {
    JsonObject hook = new JsonObject(TestDaemon.resource("webhooks/webhook-v4-1alert.json"));
    JsonObject alert = hook.getJsonArray("alerts").getJsonObject(0);
    // no fingerprint (computed), endsAt empty, generatorURL null, annotations null, an unknown
    // field with a nested value
    alert.remove("fingerprint");
    alert
        .put("endsAt", "")
        .putNull("generatorURL")
        .putNull("annotations")
        .put("extra", new JsonObject().put("a", new JsonArray().add(1)));
    hook.put("truncatedAlerts", 0).putNull("commonLabels");
    byte[] body = bytes(hook.encode());
    assertThat(JsonBody.stream(body, AlertParser::streamWebhook))
        .as("read by the fast path")
        .isNotNull();
    assertThat(AlertParser.webhook(body)).isEqualTo(AlertParser.webhookTree(body)).hasSize(1);
  }

  @Test
  void whatTheFastPathCannotReadIsRefusedWithTheTreeReadersMessage() {
    JsonObject hook = new JsonObject(TestDaemon.resource("webhooks/webhook-v4-1alert.json"));
    hook.getJsonArray("alerts").getJsonObject(0).put("startsAt", "yesterday");
    assertThatThrownBy(() -> AlertParser.webhook(bytes(hook.encode())))
        .isInstanceOf(BadRequest.class)
        .hasMessage("alerts[0].startsAt: not an RFC 3339 time: \"yesterday\"");
    assertThatThrownBy(() -> AlertParser.webhook(bytes("{\"version\":\"4\",\"version\":\"4\"}")))
        .isInstanceOf(BadRequest.class)
        .hasMessageContaining("Duplicate field 'version'");
    assertThatThrownBy(
            () ->
                AlertParser.webhook(
                    bytes(TestDaemon.resource("webhooks/webhook-v4-1alert.json") + " {}")))
        .isInstanceOf(BadRequest.class)
        .hasMessageContaining("a second JSON value after the first");
  }
}
