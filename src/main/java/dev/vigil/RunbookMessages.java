package dev.vigil;

import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.Outbox;
import dev.vigil.oncall.TeamId;
import dev.vigil.runbook.action.Notifications;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runbook messages ({@code slack} steps, approval requests, the rollout guard's ops message) as
 * outbox intents, delivered by the notification dispatcher like pages. {@code pagerduty} steps are
 * recorded on the timeline by {@code fallback}: the outbox has no runbook-driven PagerDuty event yet;
 * so are messages about incidents that no team owns (no teams.yaml), which have no channel.
 */
final class RunbookMessages implements Notifications {
  private final Outbox outbox;
  private final IncidentStore incidents;
  private final Notifications fallback;
  private final String opsChannel;
  private final Clock clock;
  private final Runnable kick;

  RunbookMessages(Outbox outbox, IncidentStore incidents, Notifications fallback, String opsChannel, Clock clock, Runnable kick) {
    this.outbox = outbox;
    this.incidents = incidents;
    this.fallback = fallback;
    this.opsChannel = opsChannel;
    this.clock = clock;
    this.kick = kick;
  }

  @Override
  public Future<Map<String, Object>> send(Intent intent) {
    if (intent.kind().equals("pagerduty") || intent.incident() == null) {
      return fallback.send(intent);
    }
    String channel = intent.kind().equals("ops") ? opsChannel : intent.target();
    return incidents.get(intent.incident()).compose(found -> {
      String team = found.map(i -> i.team()).orElse(null);
      if (team == null) {
        return fallback.send(intent); // no owning team (no teams.yaml): no channel to deliver to
      }
      String where = channel.isEmpty() ? "team channel" : channel;
      // the timeline keeps what was said; the dispatcher adds how it was delivered
      return outbox.enqueue(NotificationIntent.message(intent.dedupKey(), intent.incident(), new TeamId(team), channel, intent.text(),
              intent.approvalRun()), clock.instant())
          .compose(stored -> stored
              ? incidents.append(intent.incident(), new TimelineEvent(clock.instant(), "notification", "runbook",
                  "slack " + where + ": " + intent.text())).map(stored)
              : Future.succeededFuture(stored))
          .map(stored -> {
            kick.run();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("channel", channel);
            out.put("ts", ""); // known once delivered; the delivery is recorded on the incident timeline
            return out;
          });
    });
  }
}
