package dev.vigil.notify;

import dev.vigil.TestDaemon;
import dev.vigil.incident.IncidentId;
import dev.vigil.slack.SlackMessages;
import dev.vigil.timer.FakeScheduler;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/** Fires many message updates at once, with an acknowledgement among them, and waits for all. */
final class SlackMessagesBurst {
  private SlackMessagesBurst() {}

  static void burst(TestDaemon d, String id, int n) {
    SlackMessages messages = d.daemon.slackMessages().orElseThrow();
    IncidentId incident = IncidentId.parse(id).orElseThrow();
    List<Future<Integer>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(messages.update(incident));
      if (i == n / 2) {
        d.post("/api/v1/incidents/" + id + "/acknowledge", "{\"by\": \"bob\"}");
      }
    }
    all.add(messages.update(incident));
    FakeScheduler.await(Future.all(all));
  }
}
