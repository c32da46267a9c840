package dev.vigil.heartbeat;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.Fingerprint;
import dev.vigil.classify.Heartbeat;
import dev.vigil.config.Durations;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.IngestResult;
import dev.vigil.incident.Triage;
import dev.vigil.timer.Scheduler;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the alerts that should always be firing (Alertmanager's Watchdog): when none matching a
 * heartbeat has arrived for its {@code missingAfter}, it opens an incident (alert {@code
 * VigilHeartbeatMissing}, group {@code heartbeat:<name>}) of the heartbeat's severity, and resolves
 * it when the heartbeat comes back.
 *
 * <p>Last-seen times live in the store ({@link HeartbeatStore}), shared by every replica: the
 * Watchdog may reach any of them. Each replica holds an alarm per heartbeat; when it rings, the
 * stored time decides, and marking the heartbeat missing is a compare-and-set, so one replica opens
 * the incident. A start gives every heartbeat a fresh {@code missingAfter} of grace (Vigil could
 * not receive it while down). {@link #watch} replaces the list (a reload of classification.yaml): a
 * new or changed heartbeat gets the same grace, a removed one stops being watched. {@link #observe}
 * may be called on an event loop.
 */
public final class HeartbeatWatch {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatWatch.class);
  public static final String ALERTNAME = "VigilHeartbeatMissing";

  private final IncidentStore incidents;
  private final HeartbeatStore store;
  private final Triage triage;
  private final Scheduler scheduler;
  private final Clock clock;

  /**
   * Replaced whole (under the lock) by {@link #watch}, so {@link #observe} iterates a snapshot
   * without the lock.
   */
  private volatile Map<String, Watched> watched;

  private boolean stopped;

  private static final class Watched {
    final Heartbeat heartbeat;
    Scheduler.Timer timer;
    boolean removed; // no longer in classification.yaml: its alarm is never armed again

    Watched(Heartbeat heartbeat) {
      this.heartbeat = heartbeat;
    }
  }

  /**
   * @param incidents where the heartbeat's incident opens and resolves; like every write, the store
   *     publishes it to the pipeline (escalation, runbooks and notifications react to it)
   * @param triage gives the incident its team (its severity and type come from the heartbeat)
   */
  public HeartbeatWatch(
      List<Heartbeat> heartbeats,
      IncidentStore incidents,
      HeartbeatStore store,
      Triage triage,
      Scheduler scheduler,
      Clock clock) {
    this.incidents = incidents;
    this.store = store;
    this.triage = triage;
    this.scheduler = scheduler;
    this.clock = clock;
    Map<String, Watched> all = new LinkedHashMap<>();
    heartbeats.forEach(h -> all.put(h.name(), new Watched(h)));
    this.watched = Collections.unmodifiableMap(all);
  }

  /**
   * Gives every heartbeat a full {@code missingAfter} from now; one stored for the first time is
   * missing if its incident is open.
   */
  public Future<Void> start() {
    return begin(watched.values());
  }

  /**
   * Watches {@code heartbeats} from now on, instead of the current list: one unchanged keeps its
   * alarm; one new or changed (same name, other definition) starts as at {@link #start} with a full
   * {@code missingAfter} of grace; one no longer listed has its alarm cancelled (an incident it
   * opened stays open until someone resolves it). Nothing once stopped.
   */
  public Future<Void> watch(List<Heartbeat> heartbeats) {
    List<Watched> added = new ArrayList<>();
    synchronized (this) {
      if (stopped) {
        return Future.succeededFuture();
      }
      Map<String, Watched> before = watched;
      Map<String, Watched> next = new LinkedHashMap<>();
      for (Heartbeat h : heartbeats) {
        Watched w = before.get(h.name());
        if (w == null || !w.heartbeat.equals(h)) {
          w = new Watched(h);
          added.add(w);
        }
        next.put(h.name(), w);
      }
      for (Watched w : before.values()) {
        if (next.get(w.heartbeat.name()) != w) {
          w.removed = true;
          if (w.timer != null) {
            w.timer.cancel();
          }
        }
      }
      watched = Collections.unmodifiableMap(next);
    }
    return begin(added);
  }

  private Future<Void> begin(Collection<Watched> heartbeats) {
    if (heartbeats.isEmpty()) {
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    return Future.all(
            incidents.list(new IncidentQuery(IncidentStatus.TRIGGERED, null, null, 1000)),
            incidents.list(new IncidentQuery(IncidentStatus.ACKNOWLEDGED, null, null, 1000)))
        .compose(
            all -> {
              List<String> openGroups = new ArrayList<>();
              for (int i = 0; i < 2; i++) {
                all.<List<Incident>>resultAt(i).forEach(inc -> openGroups.add(inc.groupKey()));
              }
              List<Future<Void>> registered = new ArrayList<>();
              for (Watched w : heartbeats) {
                registered.add(
                    store.register(
                        w.heartbeat.name(), now, openGroups.contains(group(w.heartbeat))));
              }
              return Future.all(registered);
            })
        .map(
            v -> {
              synchronized (this) {
                heartbeats.forEach(w -> arm(w, now.plus(w.heartbeat.missingAfter())));
              }
              return null;
            });
  }

  public synchronized void stop() {
    stopped = true;
    watched
        .values()
        .forEach(
            w -> {
              if (w.timer != null) {
                w.timer.cancel();
              }
            });
  }

  /**
   * Alerts that just arrived (repeats included): a matching firing one is a heartbeat. The future
   * completes when it is stored and any incident of a returning heartbeat is resolved (failures are
   * logged here).
   */
  public Future<Void> observe(List<Alert> alerts) {
    Map<String, Watched> watched = this.watched;
    if (watched.isEmpty()) {
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    Future<Void> chain = Future.succeededFuture();
    for (Watched w : watched.values()) {
      if (alerts.stream()
          .anyMatch(a -> a.status() == AlertStatus.FIRING && w.heartbeat.matches(a.labels()))) {
        synchronized (this) {
          arm(w, now.plus(w.heartbeat.missingAfter()));
        }
        chain =
            chain.compose(
                v ->
                    store
                        .seen(w.heartbeat.name(), now)
                        .compose(
                            wasMissing ->
                                wasMissing
                                    ? resolve(w, now).<Void>mapEmpty()
                                    : Future.<Void>succeededFuture())
                        .recover(
                            e -> {
                              log.atError()
                                  .setCause(e)
                                  .log(
                                      "heartbeat: recording heartbeat {} failed: {}",
                                      w.heartbeat.name(),
                                      e.getMessage());
                              return Future.succeededFuture();
                            }));
      }
    }
    return chain;
  }

  private void arm(Watched w, Instant at) {
    if (stopped || w.removed) {
      return;
    }
    if (w.timer != null) {
      w.timer.cancel();
    }
    w.timer = scheduler.at(at, () -> check(w));
  }

  /**
   * The alarm rang: the stored last-seen time decides; while missing, it keeps checking every
   * {@code missingAfter}.
   */
  private Future<?> check(Watched w) {
    Instant now = clock.instant();
    Duration every = w.heartbeat.missingAfter();
    return store
        .state(w.heartbeat.name())
        .compose(
            found -> {
              HeartbeatStore.State st = found.orElse(new HeartbeatStore.State(now, false));
              Instant due = st.lastSeen().plus(every);
              if (st.missing() || now.isBefore(due)) {
                rearm(w, st.missing() ? now.plus(every) : due);
                return Future.succeededFuture();
              }
              rearm(w, now.plus(every));
              return store
                  .markMissing(w.heartbeat.name(), st.lastSeen())
                  .compose(won -> won ? open(w, now).mapEmpty() : Future.succeededFuture());
            })
        .recover(
            e -> {
              log.atError()
                  .setCause(e)
                  .log(
                      "heartbeat: checking heartbeat {} failed (checked again in {}): {}",
                      w.heartbeat.name(),
                      Durations.format(every),
                      e.getMessage());
              rearm(w, now.plus(every));
              return Future.succeededFuture();
            });
  }

  private synchronized void rearm(Watched w, Instant at) {
    arm(w, at);
  }

  private Future<IngestResult> open(Watched w, Instant now) {
    Heartbeat h = w.heartbeat;
    log.atWarn()
        .addKeyValue("severity", h.severity().wire())
        .log(
            "heartbeat: {} not seen for {}: opening an incident",
            h.name(),
            Durations.format(h.missingAfter()));
    Alert a = alert(h, AlertStatus.FIRING, now);
    Triage forHeartbeat =
        (labels, at) ->
            new Triage.Outcome(h.severity(), "heartbeat", triage.triage(labels, at).team(), false);
    return incidents.ingest(
        List.of(List.of(new AlertIntake(a, group(h), a.labels(), false))), forHeartbeat, now);
  }

  private Future<IngestResult> resolve(Watched w, Instant now) {
    Heartbeat h = w.heartbeat;
    log.atInfo().log("heartbeat: {} is back: resolving its incident", h.name());
    Alert a = alert(h, AlertStatus.RESOLVED, now);
    // startsAtImplicit: the resolved alert closes whichever occurrence is firing, even one a
    // previous run opened
    return incidents.ingest(
        List.of(List.of(new AlertIntake(a, group(h), a.labels(), true))), triage, now);
  }

  private static Alert alert(Heartbeat h, AlertStatus status, Instant now) {
    Map<String, String> labels =
        Map.of("alertname", ALERTNAME, "heartbeat", h.name(), "severity", h.severity().wire());
    return new Alert(
        Fingerprint.of(labels),
        labels,
        Map.of("summary", h.summary()),
        status,
        now,
        status == AlertStatus.RESOLVED ? now : null,
        "");
  }

  private static String group(Heartbeat h) {
    return "heartbeat:" + h.name();
  }
}
