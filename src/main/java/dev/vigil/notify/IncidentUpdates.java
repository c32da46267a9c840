package dev.vigil.notify;

import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.Source;
import dev.vigil.incident.Stage;
import dev.vigil.oncall.TeamId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns acknowledgements and resolutions into outbox intents for whatever an incident was paged
 * through: PagerDuty gets {@code acknowledge}/{@code resolve} with the same {@code dedup_key},
 * teams' webhooks get an {@code acknowledge}/{@code resolve} body, Slack messages are updated in
 * place. An incident that was never paged writes nothing. The intent key ({@code
 * update:<incident>:resolved}, {@code update:<incident>:acknowledged:<acknowledged at, ms>}) makes
 * a repeated change harmless.
 *
 * <p>A change made in PagerDuty ({@link Source#PAGERDUTY}) is not sent back to PagerDuty: it has it
 * already, and sending it back as an event would be an echo. Slack and teams' webhooks still hear
 * it.
 *
 * <p>Alerts joining or resolving in an open incident, and its runbook runs starting and ending,
 * {@link #refresh} its Slack messages (not PagerDuty, which has nothing to show for them), so the
 * message in the channel says how many alerts fire and what the runbook did. Each refresh is an
 * intent of its own ({@code refresh:<incident>:<why>:<ms>}); a burst of them coalesces into a few
 * paced {@code chat.update} calls, each rendering the incident as it is when it is sent.
 *
 * <p>It is the pipeline's last stage; it never blocks.
 */
public final class IncidentUpdates implements Stage {
  private static final Logger log = LoggerFactory.getLogger(IncidentUpdates.class);

  private final Outbox outbox;
  private final Clock clock;
  private final Runnable onIntents;

  public IncidentUpdates(Outbox outbox, Clock clock, Runnable onIntents) {
    this.outbox = outbox;
    this.clock = clock;
    this.onIntents = onIntents;
  }

  @Override
  public String name() {
    return "updates";
  }

  @Override
  public Future<Void> accept(List<IncidentEvent> events) {
    Future<Void> chain = Future.succeededFuture();
    for (IncidentEvent e : events) {
      IncidentId id = e.id();
      if (e instanceof IncidentEvent.AlertsChanged) {
        chain = chain.compose(v -> refresh(id, "alerts"));
      } else if (e instanceof IncidentEvent.RunChanged) {
        // a run created or finished: the incident's Slack message shows the run's status
        chain = chain.compose(v -> refresh(id, "runbook"));
      } else if (e instanceof IncidentEvent.Unacknowledged) {
        // triggered again (only PagerDuty does this, and has nothing to hear back): the message
        // shows Acknowledge again
        chain = chain.compose(v -> refresh(id, "unacknowledged"));
      } else if (e instanceof IncidentEvent.Acknowledged a) {
        // keyed by the acknowledgement's time: acknowledged, unacknowledged in PagerDuty, then
        // acknowledged again is two updates
        String key =
            "update:" + id + ":acknowledged:" + a.incident().acknowledgedAt().toEpochMilli();
        chain =
            chain.compose(
                v ->
                    queue(
                        id, key, "acknowledged", notEchoed(a.source()), "the acknowledged update"));
      } else if (e instanceof IncidentEvent.Resolved r) {
        chain =
            chain.compose(
                v ->
                    queue(
                        id,
                        "update:" + id + ":resolved",
                        "resolved",
                        notEchoed(r.source()),
                        "the resolved update"));
      }
    }
    return chain;
  }

  /**
   * Re-renders the incident's Slack messages, if it was posted to Slack (never fails: a refresh
   * that cannot be queued is logged, and the next change or acknowledgement renders the message
   * anew).
   */
  public Future<Void> refresh(IncidentId id, String why) {
    return queue(
        id,
        "refresh:" + id + ":" + why + ":" + clock.millis(),
        "refresh",
        "slack"::equals,
        "a Slack refresh (" + why + ")");
  }

  /** The channels a change from {@code source} goes to: all but the one it came from. */
  private static Predicate<String> notEchoed(Source source) {
    return source == Source.PAGERDUTY ? ch -> !ch.equals("pagerduty") : ch -> true;
  }

  /**
   * Queues an update intent for whatever the incident was paged through (its PAGE intents'
   * channels, plus Slack where a page fell back to it), kept to the channels {@code to} accepts;
   * nothing if it was never paged there. Never fails: a failure to queue is logged as {@code what}.
   */
  private Future<Void> queue(
      IncidentId id, String key, String status, Predicate<String> to, String what) {
    return outbox
        .forIncident(id)
        .compose(
            entries -> {
              Set<String> channels = new LinkedHashSet<>();
              String team = null;
              for (OutboxEntry e : entries) {
                if (e.intent().kind() == NotificationIntent.Kind.PAGE) {
                  channels.addAll(
                      e.intent().channels().stream()
                          .filter(
                              ch ->
                                  ch.equals("pagerduty")
                                      || ch.equals("webhook")
                                      || ch.equals("slack"))
                          .toList());
                  team = team == null ? e.intent().team().value() : team;
                  if (e.done().contains(Dispatcher.FALLBACK)) {
                    channels.add("slack");
                  }
                }
              }
              channels.removeIf(to.negate());
              if (channels.isEmpty()) {
                return Future.<Void>succeededFuture();
              }
              NotificationIntent intent =
                  new NotificationIntent(
                      key,
                      NotificationIntent.Kind.UPDATE,
                      id,
                      new TeamId(team),
                      0,
                      List.copyOf(channels),
                      new JsonObject()
                          .put("incident", id.toString())
                          .put("status", status)
                          .encode());
              return outbox
                  .enqueue(intent, clock.instant())
                  .<Void>map(
                      stored -> {
                        if (stored) {
                          onIntents.run();
                        }
                        return null;
                      });
            })
        .recover(
            e -> {
              log.atError()
                  .addKeyValue("incident", id.toString())
                  .setCause(e)
                  .log("notify: queueing " + what + " of " + id + " failed: " + e.getMessage());
              return Future.succeededFuture();
            });
  }
}
