package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
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

  @Test
  void hashesTheUtf8OfLabelsThatAreNotAscii() {
    Map<String, String> labels = Map.of("alertname", "Dísk", "host", "a\uD83D\uDD25b", "é", "x");
    assertThat(Fingerprint.of(labels)).isEqualTo(reference(labels));
  }

  @Property
  void isFnv1aOverTheSortedUtf8LabelsAndValues(@ForAll Map<String, String> labels) {
    assertThat(Fingerprint.of(labels)).isEqualTo(reference(labels));
  }

  /** Prometheus's definition, written the plain way. */
  private static String reference(Map<String, String> labels) {
    long h = 0xcbf29ce484222325L;
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      for (String s : new String[] {e.getKey(), e.getValue()}) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
          h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ 0xff) * 0x100000001b3L;
      }
    }
    return String.format("%016x", h);
  }

  @Property
  void aCanonicalFingerprintsBitsAreTheNumberItSpellsAndItsKeyTheSame(@ForAll long value) {
    String hex = String.format("%016x", value);
    assertThat(Fingerprint.canonical(hex)).isTrue();
    assertThat(Fingerprint.bits(hex)).isEqualTo(value).isEqualTo(Long.parseUnsignedLong(hex, 16));
    assertThat(Fingerprint.key(hex)).isEqualTo(value);
  }

  @Property
  void anyOtherTextIsNotCanonicalHasNoBitsAndIsKeyedByItsHash(@ForAll String text) {
    Assume.that(!text.matches("[0-9a-f]{16}"));
    assertThat(Fingerprint.canonical(text)).isFalse();
    assertThatThrownBy(() -> Fingerprint.bits(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 16 lowercase hex digits");
    long h = 0xcbf29ce484222325L;
    for (char c : text.toCharArray()) {
      h = (h ^ c) * 0x100000001b3L;
    }
    assertThat(Fingerprint.key(text)).isEqualTo(h);
  }

  @Test
  void nearlyCanonicalFingerprintsAreNot() {
    for (String text :
        new String[] {
          "0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg",
          "0123456789abcde\u0660", "0123456789abcde/", "0123456789abcde:", "0123456789abcde`"
        }) {
      assertThat(Fingerprint.canonical(text)).as(text).isFalse();
    }
  }

  @Test
  void aLoneSurrogateIsFoundWhereItIsAndAPairIsNot() {
    assertThat(Fingerprint.loneSurrogate("3f1c0a")).isEqualTo(-1);
    assertThat(Fingerprint.loneSurrogate("emoji-\ud83d\ude00")).isEqualTo(-1);
    assertThat(Fingerprint.loneSurrogate("ab\udc00")).isEqualTo(2);
    assertThat(Fingerprint.loneSurrogate("end\ud83d")).isEqualTo(3);
    assertThat(Fingerprint.loneSurrogate("\ud83d\ud83d\ude00")).isZero();
  }

  @Test
  void keysAreStoredSoTheyNeverChange() {
    // SQLite's alert_keys holds these numbers (ADR 0155): a key that changed would turn every
    // re-sent alert stored before the change into a second row
    assertThat(Fingerprint.key("8f3a1c0de2b47f19")).isEqualTo(-8126151731673006311L);
    assertThat(Fingerprint.key("ffffffffffffffff")).isEqualTo(-1L);
    assertThat(Fingerprint.key("empreinte-\u00e9-host-3")).isEqualTo(771875489513072843L);
    assertThat(Fingerprint.key("00000000000000FF")).isEqualTo(-4504971838157737915L);
    assertThat(Fingerprint.key("")).isEqualTo(0xcbf29ce484222325L); // FNV-1a's offset basis
  }
}
