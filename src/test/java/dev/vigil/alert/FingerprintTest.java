package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FingerprintTest {
  @Test
  void matchesWhatARealAlertmanagerSent() {
    JsonObject hook = new JsonObject(TestDaemon.resource("webhooks/webhook-v4-10alerts.json"));
    hook.getJsonArray("alerts").stream()
        .map(JsonObject.class::cast)
        .forEach(
            a -> {
              Map<String, String> labels =
                  a.getJsonObject("labels").getMap().entrySet().stream()
                      .collect(Collectors.toMap(Map.Entry::getKey, e -> (String) e.getValue()));
              assertThat(Fingerprint.of(labels))
                  .as(labels.toString())
                  .isEqualTo(a.getString("fingerprint"));
            });
  }

  @Test
  void dependsOnLabelsNotTheirOrder() {
    assertThat(Fingerprint.of(Map.of("a", "1", "b", "2")))
        .isEqualTo(Fingerprint.of(new TreeMap<>(Map.of("b", "2", "a", "1"))))
        .hasSize(16)
        .isNotEqualTo(Fingerprint.of(Map.of("a", "12")));
  }
}
