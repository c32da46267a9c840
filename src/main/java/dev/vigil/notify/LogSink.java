package dev.vigil.notify;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Notifier} for an integration that is off (a team names Slack, but there is no bot
 * token): the intent is logged and counts as delivered "via the log", so the timeline says nobody
 * was messaged that way.
 */
public final class LogSink implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(LogSink.class);

  @Override
  public String integration() {
    return "log";
  }

  @Override
  public Future<Receipt> deliver(OutboxEntry entry) {
    NotificationIntent i = entry.intent();
    log.atInfo()
        .addKeyValue("incident", i.incident() == null ? null : i.incident().toString())
        .addKeyValue("team", i.team().value())
        .addKeyValue("integration", "log")
        .log(
            "notify: "
                + i.kind().wire()
                + " for team "
                + i.team()
                + " (channels "
                + i.channels()
                + ", not configured): "
                + i.payload());
    return Future.succeededFuture(
        Receipt.of(
            "the log (" + String.join(", ", i.channels()) + " not configured, nobody messaged)"));
  }

  @Override
  public String state() {
    return "on";
  }
}
