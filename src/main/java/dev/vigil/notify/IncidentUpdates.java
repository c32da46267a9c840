package dev.vigil.notify;

import dev.vigil.incident.IncidentChange;
import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns acknowledgements and resolutions into outbox intents for whatever an incident was paged
 * through: PagerDuty gets {@code acknowledge}/{@code resolve} with the same {@code dedup_key}, Slack
 * messages are updated in place. An incident that was never paged writes nothing. The intent key
 * {@code update:<incident>:<status>} makes a repeated change harmless.
 *
 * <p>Subscribe it to the incident changes of every commit (ingest and API); it never blocks.
 */
public final class IncidentUpdates {
  private static final Logger log = LoggerFactory.getLogger(IncidentUpdates.class);

  private final Outbox outbox;
  private final Clock clock;
  private final Runnable onIntents;

  public IncidentUpdates(Outbox outbox, Clock clock, Runnable onIntents) {
    this.outbox = outbox;
    this.clock = clock;
    this.onIntents = onIntents;
  }

  public Future<Void> onChanges(List<IncidentChange> changes) {
    Future<Void> chain = Future.succeededFuture();
    for (IncidentChange c : changes) {
      String status = switch (c.kind()) {
        case ACKNOWLEDGED -> "acknowledged";
        case RESOLVED -> "resolved";
        default -> null;
      };
      if (status != null) {
        chain = chain.compose(v -> changed(c.id(), status).recover(e -> {
          log.atError().addKeyValue("incident", c.id().toString()).setCause(e)
              .log("notify: queueing the " + status + " update of " + c.id() + " failed: " + e.getMessage());
          return Future.succeededFuture();
        }));
      }
    }
    return chain;
  }

  private Future<Void> changed(IncidentId id, String status) {
    return outbox.forIncident(id).compose(entries -> {
      Set<String> channels = new LinkedHashSet<>();
      String team = null;
      for (OutboxEntry e : entries) {
        if (e.intent().kind() == NotificationIntent.Kind.PAGE) {
          channels.addAll(e.intent().channels().stream().filter(ch -> ch.equals("pagerduty") || ch.equals("slack")).toList());
          team = team == null ? e.intent().team().value() : team;
          if (e.done().contains(Dispatcher.FALLBACK)) {
            channels.add("slack");
          }
        }
      }
      if (channels.isEmpty()) {
        return Future.succeededFuture();
      }
      NotificationIntent intent = new NotificationIntent("update:" + id + ":" + status, NotificationIntent.Kind.UPDATE, id,
          new dev.vigil.oncall.TeamId(team), 0, List.copyOf(channels),
          new JsonObject().put("incident", id.toString()).put("status", status).encode());
      return outbox.enqueue(intent, clock.instant()).map(stored -> {
        if (stored) {
          onIntents.run();
        }
        return null;
      });
    });
  }
}
