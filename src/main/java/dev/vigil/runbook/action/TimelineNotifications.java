package dev.vigil.runbook.action;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stand-in sinks while no outbox or escalator is bound: every intent and escalation request is
 * written to the incident timeline (and the log), so nothing a runbook asked for is invisible.
 */
public final class TimelineNotifications implements Notifications {
  private static final Logger LOG = LoggerFactory.getLogger(TimelineNotifications.class);
  private final IncidentStore incidents;
  private final Clock clock;

  public TimelineNotifications(IncidentStore incidents, Clock clock) {
    this.incidents = incidents;
    this.clock = clock;
  }

  @Override
  public Future<Map<String, Object>> send(Intent intent) {
    String where =
        intent.target().isEmpty()
            ? (intent.kind().equals("slack") ? "team channel" : "")
            : intent.target();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("channel", intent.target());
    out.put("channelId", "");
    out.put("ts", "");
    return record(
            intent.incident(),
            intent.kind(),
            intent.kind()
                + (where.isEmpty() ? "" : " " + where)
                + ": "
                + intent.text()
                + " (no notifier bound: recorded here only)")
        .map(out);
  }

  /**
   * Records the page and fails the step: nothing was paged, and a step that says it paged must not
   * succeed.
   */
  @Override
  public Future<Map<String, Object>> page(Page page) {
    String text =
        "pagerduty "
            + page.action()
            + page.summary().map(s -> ": " + s).orElse("")
            + page.severity().map(s -> " [" + s + "]").orElse("")
            + " (no notifier bound: recorded here only, nothing was paged)";
    return record(page.incident(), "pagerduty", text)
        .compose(
            v ->
                Future.failedFuture(
                    "pagerduty: "
                        + page.action()
                        + " "
                        + page.incident()
                        + " not sent: no PagerDuty notifier is bound (recorded on the timeline only)"));
  }

  private Future<Void> record(IncidentId incident, String kind, String text) {
    LOG.atInfo()
        .addKeyValue("incident", incident == null ? null : incident.toString())
        .addKeyValue("integration", kind)
        .log("notification intent: " + text);
    if (incident == null) {
      return Future.succeededFuture();
    }
    return incidents
        .append(incident, new TimelineEvent(clock.instant(), "notification", "runbook", text))
        .mapEmpty();
  }

  /** An {@link Escalation} that records each request on the timeline. */
  public static Escalation escalation(IncidentStore incidents, Clock clock) {
    return new Escalation() {
      @Override
      public Future<Void> runFailed(IncidentId incident, String by, String reason) {
        return record(incident, by, reason);
      }

      @Override
      public Future<Void> escalateNow(IncidentId incident, String by, String reason) {
        return record(incident, by, reason);
      }

      private Future<Void> record(IncidentId incident, String by, String reason) {
        LOG.atWarn()
            .addKeyValue("incident", incident.toString())
            .log("escalation requested (no escalator bound): " + reason);
        return incidents
            .append(
                incident,
                new TimelineEvent(
                    clock.instant(),
                    "escalate",
                    by,
                    "escalation requested: "
                        + reason
                        + " (no escalator bound: recorded here only)"))
            .mapEmpty();
      }
    };
  }
}
