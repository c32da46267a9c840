package dev.vigil.ingest;

import static dev.vigil.ingest.GroupCommitterTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.alert.AlertStatus;
import dev.vigil.incident.AlertIntake;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchQueueTest {

  static Pending pending(List<AlertIntake> alerts) {
    return new Pending(alerts, Promise.promise(), null);
  }

  static Pending pending(int group, String name) {
    return pending(request(group, name, AlertStatus.FIRING));
  }

  static Pending ofAlerts(int n) {
    List<AlertIntake> alerts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      alerts.addAll(request(i, "Alert" + i, AlertStatus.FIRING));
    }
    return pending(alerts);
  }

  @Test
  void oneAtATimeTakesTheHeadOfTheQueueUpToTheBatchLimitAndALargerRequestAlone() {
    BatchQueue q = new BatchQueue(10, true);
    Pending big = ofAlerts(12);
    Pending a = ofAlerts(4);
    Pending b = ofAlerts(4);
    Pending c = ofAlerts(4);
    List.of(big, a, b, c).forEach(q::add);
    Set<String> keys = new HashSet<>();

    assertThat(q.take(keys)).containsExactly(big);
    assertThat(q.take(keys)).containsExactly(a, b);
    assertThat(q.take(keys)).containsExactly(c);
    assertThat(q.take(keys)).isEmpty();
    assertThat(keys).as("one batch at a time: nothing to keep apart").isEmpty();
  }

  @Test
  void requestsAboutAGroupInFlightWaitAndKeepTheirOrderOnceItIsFree() {
    BatchQueue q = new BatchQueue(100, false);
    Pending first = pending(1, "Disk");
    q.add(first);
    Set<String> firstKeys = new HashSet<>();
    assertThat(q.take(firstKeys)).containsExactly(first);
    assertThat(firstKeys).as("its group and its alert").hasSize(2);

    Pending sameGroup = pending(1, "Cpu");
    Pending other = pending(2, "Memory");
    Pending sameAsWaiting = pending(1, "Net");
    List.of(sameGroup, other, sameAsWaiting).forEach(q::add);

    assertThat(q.take(new HashSet<>()))
        .as("group 1 is in flight: only group 2 goes")
        .containsExactly(other);
    assertThat(q.size()).isEqualTo(2);

    q.free(firstKeys);
    assertThat(q.take(new HashSet<>()))
        .as("in queue order once the first batch's outcome is handled")
        .containsExactly(sameGroup, sameAsWaiting);
  }

  @Test
  void aRequestAboutAnAlertInFlightWaitsEvenInAnotherGroup() {
    BatchQueue q = new BatchQueue(100, false);
    Pending first = pending(1, "Disk");
    q.add(first);
    q.take(new HashSet<>());

    // the same alert (labels, so fingerprint) routed to another group
    Pending sameAlert = pending(7, "Disk");
    q.add(sameAlert);
    assertThat(q.take(new HashSet<>())).isEmpty();
  }

  @Test
  void aRequestDoesNotOvertakeAWaitingOneAboutTheSameAlert() {
    BatchQueue q = new BatchQueue(100, false);
    Set<String> firstKeys = new HashSet<>();
    q.add(pending(1, "Disk"));
    q.take(firstKeys);

    Pending waits = pending(1, "Cpu"); // group 1 is in flight
    Pending sameAlertElsewhere = pending(2, "Cpu"); // free itself, but about the alert that waits
    Pending free = pending(3, "Memory");
    List.of(waits, sameAlertElsewhere, free).forEach(q::add);

    assertThat(q.take(new HashSet<>())).containsExactly(free);
    q.free(firstKeys);
    assertThat(q.take(new HashSet<>()))
        .as("one batch may hold both: its transaction takes them in order")
        .containsExactly(waits, sameAlertElsewhere);
  }
}
