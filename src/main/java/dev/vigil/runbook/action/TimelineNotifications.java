package dev.vigil.runbook.action;

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
    String where = intent.target().isEmpty() ? (intent.kind().equals("slack") ? "team channel" : "") : intent.target();
    String text = intent.kind() + (where.isEmpty() ? "" : " " + where) + ": " + intent.text() + " (no notifier bound: recorded here only)";
    LOG.atInfo().addKeyValue("incident", intent.incident() == null ? null : intent.incident().toString())
        .addKeyValue("integration", intent.kind()).log("notification intent: " + text);
    Map<String, Object> out = new LinkedHashMap<>();
    if (intent.kind().equals("pagerduty")) {
      out.put("dedupKey", intent.incident() == null ? "" : intent.incident().toString());
    } else {
      out.put("channel", intent.target());
      out.put("ts", "");
    }
    if (intent.incident() == null) {
      return Future.succeededFuture(out);
    }
    return incidents.append(intent.incident(), new TimelineEvent(clock.instant(), "notification", "runbook", text)).map(out);
  }

  /** An {@link Escalation} that records each request on the timeline. */
  public static Escalation escalation(IncidentStore incidents, Clock clock) {
    return new Escalation() {
      @Override
      public Future<Void> runFailed(dev.vigil.incident.IncidentId incident, String by, String reason) {
        return record(incident, by, reason);
      }

      @Override
      public Future<Void> escalateNow(dev.vigil.incident.IncidentId incident, String by, String reason) {
        return record(incident, by, reason);
      }

      private Future<Void> record(dev.vigil.incident.IncidentId incident, String by, String reason) {
        LOG.atWarn().addKeyValue("incident", incident.toString()).log("escalation requested (no escalator bound): " + reason);
        return incidents.append(incident, new TimelineEvent(clock.instant(), "escalate", by,
            "escalation requested: " + reason + " (no escalator bound: recorded here only)")).mapEmpty();
      }
    };
  }
}
