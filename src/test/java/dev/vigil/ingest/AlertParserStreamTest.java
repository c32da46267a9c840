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

  @Test
  void aRepeatedKeyAnywhereIsRefusedAsTheTreeReaderRefusesIt() {
    String hook = TestDaemon.resource("webhooks/webhook-v4-1alert.json");
    // each: the text to find once in the webhook, what it becomes, and the key that then repeats
    String[][] cases = {
      {"\"groupKey\":", "\"groupKey\":\"x\",\"groupKey\":", "groupKey"},
      {"\"receiver\":", "\"receiver\":\"x\",\"receiver\":", "receiver"},
      {"\"groupLabels\":{", "\"groupLabels\":{\"z\":\"1\",\"z\":\"1\",", "z"},
      {"\"commonLabels\":{", "\"commonLabels\":{\"z\":\"1\",\"z\":\"1\",", "z"},
      {"\"labels\":{", "\"labels\":{\"z\":\"1\",\"z\":\"2\",", "z"},
      {"\"annotations\":{", "\"annotations\":{\"z\":\"1\",\"z\":\"2\",", "z"},
      {"\"startsAt\":", "\"startsAt\":\"2026-01-01T00:00:00Z\",\"startsAt\":", "startsAt"},
      {
        "\"status\":\"firing\",\"labels\"",
        "\"extra\":[{\"a\":1,\"a\":2}],\"status\":\"firing\",\"labels\"",
        "a"
      },
    };
    for (String[] c : cases) {
      assertThat(hook).as(c[0]).contains(c[0]);
      byte[] body =
          bytes(
              hook.replaceFirst(
                  java.util.regex.Pattern.quote(c[0]),
                  java.util.regex.Matcher.quoteReplacement(c[1])));
      assertThat(JsonBody.stream(body, AlertParser::streamWebhook)).as(c[1]).isNull();
      assertThatThrownBy(() -> AlertParser.webhook(body))
          .as(c[1])
          .isInstanceOf(BadRequest.class)
          .hasMessageContaining("Duplicate field '" + c[2] + "'");
    }
  }
}
