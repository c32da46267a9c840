package dev.vigil.notify;

import dev.vigil.incident.TimelineEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers outbox intents to the log, until PagerDuty and Slack delivery exist: each pending intent
 * is logged, marked delivered and (for a page) written to its incident's timeline naming the team
 * and level, so an operator can see who would have been paged.
 *
 * <p>{@link #drain()} may be called from any thread or context; calls do not overlap (a call made
 * while one runs returns that run's future, and another drain follows it).
 */
public final class LogNotifier {
  private static final Logger log = LoggerFactory.getLogger(LogNotifier.class);
  private static final int BATCH = 100;

  private final Outbox outbox;
  private final Clock clock;
  private final DeliveryWatch watch;
  private Future<Integer> running;
  private boolean again;

  public LogNotifier(Outbox outbox, Clock clock) {
    this(outbox, clock, new DeliveryWatch(outbox));
  }

  /**
   * @param watch told of every intent marked delivered
   */
  public LogNotifier(Outbox outbox, Clock clock, DeliveryWatch watch) {
    this.outbox = outbox;
    this.clock = clock;
    this.watch = watch;
  }

  /**
   * Delivers every intent due now; the future holds how many were delivered. A call while a drain
   * runs is folded into one more drain after it.
   */
  public synchronized Future<Integer> drain() {
    if (running != null) {
      again = true;
      return running;
    }
    // Mark as running before the work starts: a store call that fails at once would otherwise
    // finish
    // before this field is set, leave a completed future here for good, and stop every later drain.
    Promise<Integer> done = Promise.promise();
    running = done.future();
    outbox
        .due(clock.instant(), BATCH)
        .compose(this::deliverAll)
        .onComplete(
            ar -> {
              synchronized (this) {
                running = null;
                if (again) {
                  again = false;
                  drain();
                }
              }
              done.handle(ar);
            });
    return done.future();
  }

  /**
   * Logs each intent, then marks them all delivered (with their timeline lines) in one transaction.
   */
  private Future<Integer> deliverAll(List<OutboxEntry> entries) {
    Map<Long, TimelineEvent> events = new HashMap<>();
    for (OutboxEntry e : entries) {
      TimelineEvent event = deliver(e);
      if (event != null) {
        events.put(e.id(), event);
      }
    }
    return outbox
        .delivered(entries, clock.instant(), e -> events.get(e.id()))
        .onSuccess(v -> entries.forEach(e -> watch.recorded(e.intent().key())))
        .map(entries.size());
  }

  private TimelineEvent deliver(OutboxEntry e) {
    NotificationIntent i = e.intent();
    String channels = i.channels().isEmpty() ? "none" : String.join(", ", i.channels());
    log.atInfo()
        .addKeyValue("incident", i.incident() == null ? null : i.incident().toString())
        .addKeyValue("team", i.team().value())
        .addKeyValue("integration", "log")
        .log(
            "notify: "
                + i.kind().wire()
                + " for team "
                + i.team()
                + (i.kind() == NotificationIntent.Kind.PAGE ? " at level " + i.level() : "")
                + " (channels "
                + channels
                + "): "
                + i.payload());
    // a postmortem reads these lines: an update or a message is not a page
    String what =
        i.kind() == NotificationIntent.Kind.PAGE
            ? "paged team "
                + i.team()
                + (i.level() > 0 ? " (level " + i.level() + ")" : " (runbook step)")
            : "logged the " + i.kind().wire() + " for team " + i.team();
    return i.incident() == null
        ? null
        : new TimelineEvent(
            clock.instant(),
            "notified",
            "notify:log",
            what
                + " via the log; "
                + channels
                + " not configured (no PagerDuty routing key or Slack bot token), so nobody was messaged");
  }
}
