package dev.vigil.heartbeat;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.classify.Heartbeat;
import dev.vigil.classify.Triage;
import dev.vigil.config.Durations;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.timer.Scheduler;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the alerts that should always be firing (Alertmanager's Watchdog): when none matching a
 * heartbeat has arrived for its {@code missingAfter}, it opens an incident (alert
 * {@code VigilHeartbeatMissing}, group {@code heartbeat:<name>}) of the heartbeat's severity, and
 * resolves it when the heartbeat comes back.
 *
 * <p>Last-seen times are kept in memory: after a restart every heartbeat gets a fresh
 * {@code missingAfter} of grace, and an incident left open by the previous run is found by its group
 * and resolved when the heartbeat returns. {@link #observe} is cheap and may be called on an event loop.
 */
public final class HeartbeatWatch {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatWatch.class);
  public static final String ALERTNAME = "VigilHeartbeatMissing";

  private final IncidentStore incidents;
  private final Triage triage;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Consumer<IngestResult> afterIngest;
  private final Map<String, Watched> watched = new LinkedHashMap<>();

  private static final class Watched {
    final Heartbeat heartbeat;
    Instant lastSeen;
    boolean missing;
    Scheduler.Timer timer;

    Watched(Heartbeat heartbeat) {
      this.heartbeat = heartbeat;
    }
  }

  /**
   * @param triage gives the incident its team (its severity and type come from the heartbeat)
   * @param afterIngest told of each commit this watch makes, like the ingest hook (escalation reacts to it)
   */
  public HeartbeatWatch(List<Heartbeat> heartbeats, IncidentStore incidents, Triage triage, Scheduler scheduler, Clock clock,
      Consumer<IngestResult> afterIngest) {
    this.incidents = incidents;
    this.triage = triage;
    this.scheduler = scheduler;
    this.clock = clock;
    this.afterIngest = afterIngest;
    heartbeats.forEach(h -> watched.put(h.name(), new Watched(h)));
  }

  /** Gives every heartbeat a full {@code missingAfter} from now, and finds incidents a previous run left open. */
  public Future<Void> start() {
    if (watched.isEmpty()) {
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    return Future.all(incidents.list(new IncidentQuery(IncidentStatus.TRIGGERED, null, null, 1000)),
            incidents.list(new IncidentQuery(IncidentStatus.ACKNOWLEDGED, null, null, 1000)))
        .map(all -> {
          List<String> openGroups = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            all.<List<dev.vigil.incident.Incident>>resultAt(i).forEach(inc -> openGroups.add(inc.groupKey()));
          }
          synchronized (this) {
            for (Watched w : watched.values()) {
              w.lastSeen = now;
              w.missing = openGroups.contains(group(w.heartbeat));
              if (!w.missing) {
                arm(w);
              }
            }
          }
          return null;
        });
  }

  public synchronized void stop() {
    watched.values().forEach(w -> {
      if (w.timer != null) {
        w.timer.cancel();
      }
    });
  }

  /**
   * Alerts that just arrived (repeats included): a matching firing one is a heartbeat. The future
   * completes when any incident of a returning heartbeat is resolved (failures are logged here).
   */
  public Future<Void> observe(List<Alert> alerts) {
    if (watched.isEmpty()) {
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    List<Watched> back = new ArrayList<>();
    synchronized (this) {
      for (Watched w : watched.values()) {
        boolean seen = alerts.stream().anyMatch(a -> a.status() == AlertStatus.FIRING && w.heartbeat.matches(a.labels()));
        if (seen) {
          w.lastSeen = now;
          if (w.missing) {
            w.missing = false;
            back.add(w);
            arm(w); // missing heartbeats have no alarm: watch again from now
          }
        }
      }
    }
    Future<Void> chain = Future.succeededFuture();
    for (Watched w : back) {
      chain = chain.compose(v -> resolve(w, now).<Void>mapEmpty().recover(e -> {
        log.atError().setCause(e).log("heartbeat: resolving the incident of heartbeat {} failed: {}", w.heartbeat.name(), e.getMessage());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }

  private void arm(Watched w) {
    if (w.timer != null) {
      w.timer.cancel();
    }
    w.timer = scheduler.at(w.lastSeen.plus(w.heartbeat.missingAfter()), () -> check(w));
  }

  private Future<?> check(Watched w) {
    Instant now = clock.instant();
    synchronized (this) {
      Instant due = w.lastSeen.plus(w.heartbeat.missingAfter());
      if (w.missing) {
        return Future.succeededFuture(); // already open; observe() re-arms when it returns
      }
      if (now.isBefore(due)) {
        arm(w); // seen meanwhile: wait for the new deadline
        return Future.succeededFuture();
      }
      w.missing = true;
      w.timer = null;
    }
    return open(w, now);
  }

  private Future<IngestResult> open(Watched w, Instant now) {
    Heartbeat h = w.heartbeat;
    log.atWarn().addKeyValue("severity", h.severity().wire())
        .log("heartbeat: {} not seen for {}: opening an incident", h.name(), Durations.format(h.missingAfter()));
    Alert a = alert(h, AlertStatus.FIRING, now);
    Triage forHeartbeat = (labels, at) -> new Triage.Outcome(h.severity(), "heartbeat", triage.triage(labels, at).team(), false);
    return incidents.ingest(List.of(List.of(new AlertIntake(a, group(h), a.labels(), false))), forHeartbeat, now)
        .onSuccess(afterIngest::accept);
  }

  private Future<IngestResult> resolve(Watched w, Instant now) {
    Heartbeat h = w.heartbeat;
    log.atInfo().log("heartbeat: {} is back: resolving its incident", h.name());
    Alert a = alert(h, AlertStatus.RESOLVED, now);
    // startsAtImplicit: the resolved alert closes whichever occurrence is firing, even one a previous run opened
    return incidents.ingest(List.of(List.of(new AlertIntake(a, group(h), a.labels(), true))), triage, now)
        .onSuccess(afterIngest::accept);
  }

  private static Alert alert(Heartbeat h, AlertStatus status, Instant now) {
    Map<String, String> labels = Map.of("alertname", ALERTNAME, "heartbeat", h.name(), "severity", h.severity().wire());
    return new Alert(Fingerprint.of(labels), labels, Map.of("summary", h.summary()), status, now,
        status == AlertStatus.RESOLVED ? now : null, "");
  }

  private static String group(Heartbeat h) {
    return "heartbeat:" + h.name();
  }
}
