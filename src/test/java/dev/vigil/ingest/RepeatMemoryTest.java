package dev.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.alert.AlertStatus;
import dev.vigil.incident.IncidentId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RepeatMemoryTest {
  private static final Instant T = Instant.parse("2026-12-06T08:00:00.123456789Z");
  private static final RepeatMemory.Known FIRING_7 =
      new RepeatMemory.Known(AlertStatus.FIRING, new IncidentId(7));

  private final AtomicLong now = new AtomicLong(1_000);
  private final RepeatMemory memory = new RepeatMemory(3, 100, now::get);

  private static String fp(long n) {
    return String.format("%016x", n);
  }

  @Test
  void anOccurrenceIsRememberedUntilItsTimeToLiveHasPassedSinceItWasPut() {
    memory.put(fp(1), T, AlertStatus.FIRING, new IncidentId(7));
    now.addAndGet(99);
    assertThat(memory.get(fp(1), T)).isEqualTo(FIRING_7);
    memory.put(fp(1), T, AlertStatus.RESOLVED, null); // a put starts its time again
    now.addAndGet(99);
    assertThat(memory.get(fp(1), T)).isEqualTo(new RepeatMemory.Known(AlertStatus.RESOLVED, null));
    now.addAndGet(1);
    assertThat(memory.get(fp(1), T)).isNull();
  }

  @Test
  void aForgottenOccurrenceIsUnknownInBothGenerationsAndAPutRemembersItAgain() {
    memory.put(fp(1), T, AlertStatus.FIRING, new IncidentId(7)); // turns old at the fourth put
    memory.put(fp(2), T, AlertStatus.FIRING, new IncidentId(7));
    memory.put(fp(3), T, AlertStatus.FIRING, new IncidentId(7));
    memory.put(fp(4), T, AlertStatus.FIRING, new IncidentId(7));
    memory.put(fp(4), T, AlertStatus.RESOLVED, null); // young, and its older state in no table
    assertThat(memory.get(fp(1), T)).isEqualTo(FIRING_7);

    memory.forget(fp(1), T); // in the old table only
    memory.forget(fp(4), T); // in the young one
    memory.forget(fp(9), T); // in neither: nothing to do
    assertThat(memory.get(fp(1), T)).isNull();
    assertThat(memory.get(fp(4), T)).isNull();
    assertThat(memory.get(fp(2), T)).isEqualTo(FIRING_7);

    memory.put(fp(4), T, AlertStatus.FIRING, new IncidentId(7));
    assertThat(memory.get(fp(4), T)).isEqualTo(FIRING_7);
  }

  @Test
  void aForgottenOccurrenceIsUnknownWhateverTheReadersClockAndItsOlderStateIsNotConsulted() {
    memory.put(fp(1), T, AlertStatus.FIRING, new IncidentId(7)); // old after the turn below
    memory.put(fp(2), T, AlertStatus.FIRING, new IncidentId(7));
    memory.put(fp(3), T, AlertStatus.FIRING, new IncidentId(7));
    memory.put(fp(4), T, AlertStatus.FIRING, new IncidentId(7)); // the turn
    memory.put(fp(1), T, AlertStatus.RESOLVED, null); // young now; "firing" stays in the old
    assertThat(memory.get(fp(1), T)).isEqualTo(new RepeatMemory.Known(AlertStatus.RESOLVED, null));
    now.addAndGet(50);
    memory.forget(fp(1), T);
    assertThat(memory.get(fp(1), T)).isNull();
    // a reader on another thread took its clock before the forget and reads after it
    now.addAndGet(-10);
    assertThat(memory.get(fp(1), T)).isNull();
  }

  @Test
  void theOccurrenceIsTheFingerprintAndTheExactStart() {
    memory.put(fp(1), T, AlertStatus.FIRING, new IncidentId(7));
    assertThat(memory.get(fp(1), T.plusNanos(1))).isNull();
    assertThat(memory.get(fp(1), T.plusSeconds(1))).isNull();
    assertThat(memory.get(fp(2), T)).isNull();
    assertThat(memory.get(fp(1), Instant.parse("2026-12-06T08:00:00.123456789Z")))
        .isEqualTo(FIRING_7);
  }

  @Test
  void fingerprintsNotWrittenAsAlertmanagerWritesThemAreNeverRemembered() {
    for (String odd :
        List.of("ABCDEF0123456789", "abc", "my-own-fingerprint", "0123456789abcdeg")) {
      memory.put(odd, T, AlertStatus.FIRING, new IncidentId(7));
      assertThat(memory.get(odd, T)).as(odd).isNull();
    }
    assertThat(memory.size()).isZero();
  }

  @Test
  void startsBefore1970OrAfter2242AreNeverRemembered() {
    // Go's zero time, which an alert with no start carries, and the far ends of Instant
    for (Instant odd :
        List.of(
            Instant.parse("0001-01-01T00:00:00Z"),
            Instant.parse("1969-12-31T23:59:59.999999999Z"),
            Instant.parse("2242-03-16T12:56:32Z"),
            Instant.MAX)) {
      memory.put(fp(1), odd, AlertStatus.FIRING, new IncidentId(7));
      assertThat(memory.get(fp(1), odd)).as("%s", odd).isNull();
    }
    assertThat(memory.size()).isZero();
    Instant last = Instant.parse("2242-03-16T12:56:31.999999999Z");
    memory.put(fp(1), last, AlertStatus.FIRING, new IncidentId(7));
    memory.put(fp(1), Instant.EPOCH, AlertStatus.RESOLVED, null);
    assertThat(memory.get(fp(1), last)).isEqualTo(FIRING_7);
    assertThat(memory.get(fp(1), Instant.EPOCH))
        .isEqualTo(new RepeatMemory.Known(AlertStatus.RESOLVED, null));
  }

  @Test
  void theNewestGenerationIsAlwaysKeptAndAtMostTwoAreHeld() {
    for (int i = 0; i < 10; i++) {
      memory.put(fp(i), T, AlertStatus.FIRING, new IncidentId(i + 1));
      assertThat(memory.size()).isLessThanOrEqualTo(6);
      for (int j = Math.max(0, i - 2); j <= i; j++) {
        assertThat(memory.get(fp(j), T)).as("%d after %d", j, i).isNotNull();
      }
    }
    // 0..5 filled two generations that have since been dropped; 6..8 turned old, 9 is young
    assertThat(memory.get(fp(0), T)).isNull();
    assertThat(memory.get(fp(5), T)).isNull();
    assertThat(memory.get(fp(6), T).incident()).isEqualTo(new IncidentId(7));
  }

  @Test
  void putAgainAnOccurrenceOfAFullGenerationReplacesItWithoutTurningTheGeneration() {
    for (int i = 1; i <= 3; i++) {
      memory.put(fp(i), T, AlertStatus.FIRING, new IncidentId(i));
    }
    memory.put(fp(1), T, AlertStatus.RESOLVED, new IncidentId(1)); // young is full; replaced
    assertThat(memory.size()).isEqualTo(3);
    memory.put(fp(4), T, AlertStatus.FIRING, new IncidentId(4)); // turns: 1, 2, 3 are old now
    assertThat(memory.get(fp(1), T).status()).isEqualTo(AlertStatus.RESOLVED);
    assertThat(memory.get(fp(4), T)).isNotNull();
  }

  @Test
  void anOccurrencePutAgainAfterItsTableTurnedOldAnswersWithTheNewerValue() {
    memory.put(fp(1), T, AlertStatus.FIRING, new IncidentId(7));
    for (int i = 2; i <= 4; i++) {
      memory.put(fp(i), T, AlertStatus.FIRING, new IncidentId(i)); // 4 turns: 1, 2, 3 are old
    }
    memory.put(fp(1), T, AlertStatus.RESOLVED, new IncidentId(7)); // young, beside the old one
    assertThat(memory.get(fp(1), T))
        .isEqualTo(new RepeatMemory.Known(AlertStatus.RESOLVED, new IncidentId(7)));
    assertThat(memory.get(fp(2), T).status()).isEqualTo(AlertStatus.FIRING); // from the old table
  }

  @Test
  void readersBesideTheWriterNeverSeeAnotherOccurrencesValueNorAHalfWrittenOne() throws Exception {
    // each put of occurrence k in round r stores incident (k + 1) * 1,000,000 + r (never 0, which
    // reads as no incident), resolved when r is odd: a reader that got a value of another
    // occurrence, or status and incident of two rounds,
    // would see it
    RepeatMemory shared = new RepeatMemory(5_000, Long.MAX_VALUE, System::nanoTime);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<String> wrong = new AtomicReference<>();
    AtomicLong hits = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread reader =
          new Thread(
              () -> {
                java.util.Random random = new java.util.Random();
                while (!done.get() && wrong.get() == null) {
                  int k = random.nextInt(8_000);
                  RepeatMemory.Known got = shared.get(fp(k), T);
                  if (got == null) {
                    continue;
                  }
                  hits.incrementAndGet();
                  long n = got.incident().number();
                  boolean resolved = got.status() == AlertStatus.RESOLVED;
                  if (n / 1_000_000 != k + 1 || (n % 2 == 1) != resolved) {
                    wrong.set("occurrence " + k + " read as " + got);
                  }
                }
              });
      reader.start();
      readers.add(reader);
    }
    for (int round = 0; round < 60 && wrong.get() == null; round++) {
      for (int k = 0; k < 8_000; k++) {
        shared.put(
            fp(k),
            T,
            round % 2 == 1 ? AlertStatus.RESOLVED : AlertStatus.FIRING,
            new IncidentId((k + 1) * 1_000_000L + round));
      }
    }
    done.set(true);
    for (Thread r : readers) {
      r.join();
    }
    assertThat(wrong.get()).isNull();
    assertThat(hits.get()).isPositive();
  }

  @Test
  void aGenerationOfNothingOrMoreThanAnArrayHoldsIsRefused() {
    assertThatThrownBy(() -> new RepeatMemory(0, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generation must be between 1 and 134217728, got 0");
    // one more would need 2^29 slots of 5 longs: more than one array holds
    assertThatThrownBy(() -> new RepeatMemory((1 << 27) + 1, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generation must be between 1 and 134217728, got 134217729");
  }
}
