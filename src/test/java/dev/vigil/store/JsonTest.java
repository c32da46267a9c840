package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Property
  void whatIsWrittenReadsBackTheSame(@ForAll Map<String, String> labels) {
    assertThat(Json.read(Json.write(labels))).isEqualTo(labels);
  }

  @Test
  void keysAreWrittenInOrderAndOnlyWhatJsonForbidsIsEscaped() {
    assertThat(Json.write(Map.of("b", "say \"hi\"\\n", "a", "tab\there\u0001", "c", "é/ü")))
        .isEqualTo("{\"a\":\"tab\\there\\u0001\",\"b\":\"say \\\"hi\\\"\\\\n\",\"c\":\"é/ü\"}");
  }
}
