package dev.vigil.notify;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.oncall.TeamId;
import dev.vigil.runbook.action.Notifications;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runbook messages ({@code slack} steps, approval requests, the rollout guard's ops message) and
 * {@code pagerduty} steps as outbox intents, delivered by the notification dispatcher like
 * escalation pages: the same retries, circuit breakers and Slack fallback. A {@code pagerduty}
 * trigger is a {@code PAGE} intent to the incident's team with only the {@code pagerduty} channel
 * (so Vigil's own acknowledge and resolve later reach that PagerDuty alert too); acknowledge and
 * resolve are {@code UPDATE} intents, which wait for the incident's pages to leave the outbox
 * first.
 *
 * <p>{@link #post} and {@link #page} wait on the {@link DeliveryWatch} until the intent is settled
 * and answer with what the integration returned (the Slack ts, PagerDuty's dedup key). Messages
 * about incidents that no team owns (no teams.yaml) have no channel: {@code fallback} records them
 * on the timeline; a page for such an incident fails, as there is no routing key.
 */
public final class RunbookMessages implements Notifications {
  private final Outbox outbox;
  private final DeliveryWatch watch;
  private final IncidentStore incidents;
  private final Notifications fallback;
  private final String opsChannel;
  private final Clock clock;
  private final Runnable kick;

  public RunbookMessages(
      Outbox outbox,
      DeliveryWatch watch,
      IncidentStore incidents,
      Notifications fallback,
      String opsChannel,
      Clock clock,
      Runnable kick) {
    this.outbox = outbox;
    this.watch = watch;
    this.incidents = incidents;
    this.fallback = fallback;
    this.opsChannel = opsChannel;
    this.clock = clock;
    this.kick = kick;
  }

  @Override
  public Future<Map<String, Object>> send(Intent intent) {
    return store(intent)
        .map(
            channel -> {
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("channel", channel);
              return out;
            });
  }

  @Override
  public Future<Map<String, Object>> post(Intent intent) {
    if (intent.incident() == null) {
      return fallback.post(intent);
    }
    return team(intent.incident())
        .compose(
            team -> {
              if (team == null) {
                return fallback.post(
                    intent); // no owning team (no teams.yaml): no channel to deliver to
              }
              return store(intent)
                  .compose(
                      channel ->
                          watch
                              .settled(intent.dedupKey())
                              .compose(
                                  entry -> {
                                    if (entry.status() == OutboxEntry.Status.FAILED) {
                                      return Future.failedFuture(
                                          entry.lastError() == null
                                              ? "slack: the message was not delivered"
                                              : entry.lastError());
                                    }
                                    Map<String, String> slack =
                                        entry.receipts().getOrDefault("slack", Map.of());
                                    Map<String, Object> out = new LinkedHashMap<>();
                                    // with Slack off the message went to the log: no channel id, no
                                    // ts
                                    out.put("channel", slack.getOrDefault("channel", channel));
                                    out.put("channelId", slack.getOrDefault("channelId", ""));
                                    out.put("ts", slack.getOrDefault("ts", ""));
                                    return Future.succeededFuture(out);
                                  }));
            });
  }

  @Override
  public Future<Map<String, Object>> page(Page page) {
    return team(page.incident())
        .map(owner -> page.team().orElse(owner))
        .compose(
            team -> {
              if (team == null) {
                return Future.failedFuture(
                    "pagerduty: "
                        + page.action()
                        + " "
                        + page.incident()
                        + " not sent: no team owns the incident"
                        + " (no teams.yaml, or no team on call), so there is no routing key");
              }
              JsonObject payload =
                  new JsonObject()
                      .put("incident", page.incident().toString())
                      .put("runbook", page.dedupKey());
              NotificationIntent intent;
              if (page.action().equals("trigger")) {
                page.summary().ifPresent(s -> payload.put("summary", s));
                page.severity().ifPresent(s -> payload.put("severity", s));
                intent =
                    new NotificationIntent(
                        page.dedupKey(),
                        NotificationIntent.Kind.PAGE,
                        page.incident(),
                        new TeamId(team),
                        0,
                        List.of("pagerduty"),
                        payload.encode());
              } else {
                payload.put(
                    "status", page.action().equals("acknowledge") ? "acknowledged" : "resolved");
                intent =
                    new NotificationIntent(
                        page.dedupKey(),
                        NotificationIntent.Kind.UPDATE,
                        page.incident(),
                        new TeamId(team),
                        0,
                        List.of("pagerduty"),
                        payload.encode());
              }
              String line =
                  "pagerduty "
                      + page.action()
                      + " (team "
                      + team
                      + ")"
                      + page.summary().map(s -> ": " + s).orElse("")
                      + page.severity().map(s -> " [" + s + "]").orElse("");
              return enqueue(intent, page.incident(), line)
                  .compose(v -> watch.settled(page.dedupKey()))
                  .compose(entry -> outcome(page, entry));
            });
  }

  /** The step's output from the settled intent, or why nothing was paged. */
  private static Future<Map<String, Object>> outcome(Page page, OutboxEntry entry) {
    String what = "pagerduty: " + page.action() + " " + page.incident();
    if (entry.status() == OutboxEntry.Status.FAILED) {
      return Future.failedFuture(entry.lastError() == null ? what + " failed" : entry.lastError());
    }
    Map<String, String> pd = entry.receipts().get("pagerduty");
    if (pd == null) {
      return Future.failedFuture(
          what
              + " not sent: PagerDuty is off (no team had a pagerduty.routingKey when Vigil started);"
              + " the event went to the log only");
    }
    if (pd.containsKey("skipped")) {
      return Future.failedFuture(what + " not sent: " + pd.get("skipped"));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("dedupKey", pd.getOrDefault("dedupKey", page.incident().toString()));
    return Future.succeededFuture(out);
  }

  @Override
  public void abandon(String dedupKey) {
    watch.forget(dedupKey);
  }

  /** Stores a message intent; completes with the channel it names (empty: the team's). */
  private Future<String> store(Intent intent) {
    if (intent.incident() == null) {
      return fallback.send(intent).map(out -> intent.target());
    }
    String channel = intent.kind().equals("ops") ? opsChannel : intent.target();
    return team(intent.incident())
        .compose(
            team -> {
              if (team == null) {
                return fallback.send(intent).map(out -> channel);
              }
              String where = channel.isEmpty() ? "team channel" : channel;
              // the timeline keeps what was said; the dispatcher adds how it was delivered
              return enqueue(
                      NotificationIntent.message(
                          intent.dedupKey(),
                          intent.incident(),
                          new TeamId(team),
                          channel,
                          intent.text(),
                          intent.approvalRun()),
                      intent.incident(),
                      "slack " + where + ": " + intent.text())
                  .map(channel);
            });
  }

  /** Stores the intent and, when it is new, its timeline line; then wakes the dispatcher. */
  private Future<Void> enqueue(NotificationIntent intent, IncidentId incident, String line) {
    return outbox
        .enqueue(intent, clock.instant())
        .compose(
            stored ->
                stored
                    ? incidents
                        .append(
                            incident,
                            new TimelineEvent(clock.instant(), "notification", "runbook", line))
                        .mapEmpty()
                    : Future.<Void>succeededFuture())
        .onSuccess(v -> kick.run());
  }

  /** The incident's owning team, or null. */
  private Future<String> team(IncidentId incident) {
    return incidents.get(incident).map(found -> found.map(i -> i.team()).orElse(null));
  }
}
