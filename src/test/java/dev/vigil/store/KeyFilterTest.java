package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The disk level's filter never says a key it holds is absent, and is rarely wrong otherwise. */
class KeyFilterTest {

  @Property(tries = 200)
  void everyKeyAddedIsFound(@ForAll @Size(max = 2000) java.util.List<Long> keys) {
    KeyFilter f = new KeyFilter(1024);
    keys.forEach(f::add);
    assertThat(keys).allMatch(f::mightContain);
  }

  @Test
  void atItsCapacityUnderOneInAHundredKeysNeverAddedIsTakenForOne() {
    KeyFilter f = new KeyFilter(100_000);
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 100_000; i++) {
      f.add(random.nextLong());
    }
    assertThat(f.full()).isFalse();
    int wrong = 0;
    for (int i = 0; i < 100_000; i++) {
      if (f.mightContain(random.nextLong())) {
        wrong++;
      }
    }
    assertThat(wrong).isLessThan(1_000);
    f.add(1);
    assertThat(f.full()).isTrue();
  }

  @Test
  void sequentialKeysSpreadAsWellAsRandomOnes() {
    // a sender's fingerprints may be counters; the bits are mixed before they are used
    KeyFilter f = new KeyFilter(50_000);
    for (long k = 0; k < 50_000; k++) {
      f.add(k);
    }
    int wrong = 0;
    for (long k = 50_000; k < 150_000; k++) {
      if (f.mightContain(k)) {
        wrong++;
      }
    }
    assertThat(wrong).isLessThan(1_000);
  }

  @Test
  void aCapacityOutsideWhatAnIntOfBitsHoldsIsRefused() {
    assertThatThrownBy(() -> new KeyFilter(KeyFilter.MAX_CAPACITY + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a filter holds 1 to 134217728 keys, not 134217729");
    assertThatThrownBy(() -> new KeyFilter(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(KeyFilter.bytes(KeyFilter.MAX_CAPACITY)).isEqualTo(160L << 20);
  }
}
