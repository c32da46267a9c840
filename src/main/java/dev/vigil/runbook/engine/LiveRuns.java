package dev.vigil.runbook.engine;

import dev.vigil.alert.Alert;
import dev.vigil.expr.Secrets;
import dev.vigil.incident.Incident;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The runs this engine works on, in memory: created, resumed from the store, given up, finished.
 * Touched only on the engine's loop, except the count of runs in flight.
 */
final class LiveRuns {
  private final Map<RunId, LiveRun> live = new HashMap<>();
  private final RunStore store;
  private final RunVersions versions;
  private final RunTelemetry telemetry;
  private final RunOutcomes outcomes;
  private final Admission admission;
  private final Secrets secrets;
  private final StepDispatch kinds;
  private final Clock clock;
  private final BiConsumer<LiveRun, RunEvent> feed;
  private volatile int inFlight;

  /** {@code feed} hands an event to a run's machine and carries out its commands (the engine). */
  LiveRuns(
      RunStore store,
      RunVersions versions,
      RunTelemetry telemetry,
      RunOutcomes outcomes,
      Admission admission,
      Secrets secrets,
      StepDispatch kinds,
      Clock clock,
      MeterRegistry meters,
      BiConsumer<LiveRun, RunEvent> feed) {
    this.store = store;
    this.versions = versions;
    this.telemetry = telemetry;
    this.outcomes = outcomes;
    this.admission = admission;
    this.secrets = secrets;
    this.kinds = kinds;
    this.clock = clock;
    this.feed = feed;
    Gauge.builder("vigil.runbook.runs.in.flight", this, LiveRuns::inFlight)
        .description("Runbook runs not finished (running, waiting or queued)")
        .register(meters);
  }

  /** Runs not finished yet, including queued ones. */
  int inFlight() {
    return inFlight;
  }

  LiveRun get(RunId id) {
    return live.get(id);
  }

  /** The runs by id (read by the leases). */
  Map<RunId, LiveRun> byId() {
    return live;
  }

  /**
   * Stores a new run, then starts it at once or queues it behind its concurrency limit (or ends it
   * failed, when its vars or key cannot be computed). The future holds the run as stored.
   */
  Future<RunRecord> create(
      Runbook rb, Incident incident, List<Alert> as, Rollout.Mode mode, String by) {
    NewRun n = NewRun.of(rb, incident, as, mode, by, clock.instant());
    versions.remember(rb);
    return store
        .create(n.record())
        .map(
            id -> {
              RunRecord stored = n.withId(id);
              if (live.containsKey(id)) {
                // the commit's answer came so late that a renewal resumed the run already
                return stored;
              }
              LiveRun r = open(stored, rb, false);
              outcomes.created(r, by);
              if (n.error() != null) {
                feed.accept(r, new RunEvent.Fail(n.error()));
              } else {
                admission.admit(r);
              }
              return stored;
            });
  }

  /** Resumes a run read back from the store with the runbook version it started with. */
  void resume(RunRecord rec) {
    Runbook rb = versions.of(rec);
    if (rb == null) {
      return;
    }
    LiveRun r = open(rec, rb, true);
    if (rec.status() == RunStatus.PENDING) {
      admission.admit(r);
    } else {
      admission.holding(r);
      feed.accept(r, new RunEvent.Resume());
    }
  }

  private LiveRun open(RunRecord rec, Runbook rb, boolean resumed) {
    LiveRun r = new LiveRun(rec, rb, secrets, kinds);
    telemetry.opened(r, resumed);
    live.put(r.id, r);
    inFlight = live.size();
    return r;
  }

  /** Drops a run from memory: timers and tries stopped, slot freed; it writes nothing more. */
  void giveUp(LiveRun r) {
    r.pause();
    r.abandoned = true;
    live.remove(r.id);
    admission.release(r);
    inFlight = live.size();
    r.ended.tryFail("run " + r.id + " was given up here");
  }

  /** The run's end is stored: it leaves memory, and what follows from its end happens. */
  void finished(LiveRun r, RunCommand.Finished f) {
    r.done = true;
    r.ended.tryComplete();
    live.remove(r.id);
    inFlight = live.size();
    admission.ended(r);
    outcomes.finished(r, f.status(), f.error());
  }
}
