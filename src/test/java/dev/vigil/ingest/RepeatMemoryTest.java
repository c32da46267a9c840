package dev.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RepeatMemoryTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final RepeatMemory<String> memory = new RepeatMemory<>(3, 100, now::get);

  @Test
  void aValueIsRememberedUntilItsTimeToLiveHasPassedSinceItWasPut() {
    memory.put("a", "firing");
    now.addAndGet(99);
    assertThat(memory.get("a")).isEqualTo("firing");
    memory.put("a", "resolved"); // a put starts its time again
    now.addAndGet(99);
    assertThat(memory.get("a")).isEqualTo("resolved");
    now.addAndGet(1);
    assertThat(memory.get("a")).isNull();
    assertThat(memory.get("never put")).isNull();
  }

  @Test
  void theNewestGenerationIsAlwaysKeptAndAtMostTwoAreHeld() {
    for (int i = 0; i < 10; i++) {
      memory.put("k" + i, "v" + i);
      assertThat(memory.size()).isLessThanOrEqualTo(6);
      for (int j = Math.max(0, i - 2); j <= i; j++) {
        assertThat(memory.get("k" + j)).as("k%d after k%d", j, i).isEqualTo("v" + j);
      }
    }
    // k0..k5 filled two generations that have since been dropped; k6..k8 turned old, k9 is young
    assertThat(memory.get("k0")).isNull();
    assertThat(memory.get("k5")).isNull();
    assertThat(memory.get("k6")).isEqualTo("v6");
  }

  @Test
  void putAgainAKeyOfAFullGenerationReplacesItWithoutTurningTheGeneration() {
    memory.put("a", "1");
    memory.put("b", "1");
    memory.put("c", "1");
    memory.put("a", "2"); // young is full, but "a" is in it: replaced in place
    assertThat(memory.size()).isEqualTo(3);
    memory.put("d", "1"); // turns: a, b, c are old now
    assertThat(memory.get("a")).isEqualTo("2");
    assertThat(memory.get("d")).isEqualTo("1");
  }

  @Test
  void aGenerationOfNothingIsRefused() {
    assertThatThrownBy(() -> new RepeatMemory<>(0, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generation must be at least 1, got 0");
  }
}
