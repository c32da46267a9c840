package dev.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InOrderOutcomesTest {
  final List<String> ran = new ArrayList<>();

  Runnable step(String name) {
    return () -> ran.add(name);
  }

  @Test
  void anOutcomeWaitsForEveryOneNumberedBeforeIt() {
    InOrderOutcomes outcomes = new InOrderOutcomes(true);
    outcomes.handle(2, List.of(step("2")));
    outcomes.handle(1, List.of(step("1a"), step("1b")));
    assertThat(ran).isEmpty();

    outcomes.handle(0, List.of(step("0")));
    assertThat(ran).containsExactly("0", "1a", "1b", "2");
    outcomes.handle(3, List.of(step("3")));
    assertThat(ran).containsExactly("0", "1a", "1b", "2", "3");
  }

  @Test
  void aStepThatThrowsHoldsUpNeitherTheStepsAfterItNorLaterOutcomes() {
    InOrderOutcomes outcomes = new InOrderOutcomes(true);
    outcomes.handle(1, List.of(step("1")));
    Runnable fails =
        () -> {
          throw new IllegalStateException("remembering failed");
        };
    Runnable overflows =
        () -> {
          throw new StackOverflowError();
        };
    outcomes.handle(0, List.of(fails, overflows, step("0 answered")));
    assertThat(ran).containsExactly("0 answered", "1");
  }

  @Test
  void unorderedOutcomesAreHandledAsTheyArrive() {
    // several batches in flight share no key: nothing waits for an earlier number
    InOrderOutcomes outcomes = new InOrderOutcomes(false);
    outcomes.handle(2, List.of(step("2")));
    outcomes.handle(0, List.of(step("0")));
    assertThat(ran).containsExactly("2", "0");
  }
}
