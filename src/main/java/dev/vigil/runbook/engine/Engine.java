package dev.vigil.runbook.engine;

import dev.vigil.expr.Secrets;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.Stage;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.action.Escalation;
import dev.vigil.runbook.action.Notifications;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.action.StepServices;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook engine: runs are event-driven state machines ({@link RunMachine}) on one Vert.x event
 * loop, this verticle's context; there is no thread per run, so ten thousand waiting runs cost only
 * memory. The engine carries out what each run's machine asks for, and stores every transition (a
 * step starts, ends, waits, backs off; a run starts, ends) before its effect: the action is
 * performed, dependants start, timers are armed only once the write committed. On start it resumes
 * every unfinished run from the store: finished steps are never repeated, a {@code wait} or retry
 * backoff waits only for what is left, an approval keeps waiting, and a step that was running runs
 * again (at-least-once) unless it says {@code onResume: fail}. A run keeps the runbook version it
 * started with: its source text is stored with it and parsed again after a restart.
 *
 * <p>Beside it: {@link RunbookDecider} (which runbook an incident gets), {@link Admission}
 * (concurrency limits), {@link RunLeases} (replicas sharing a store), {@link RolloutGuard}. All
 * public methods may be called from any thread; they hop onto the engine's loop.
 */
public final class Engine extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final RunStore store;
  private final IncidentStore incidents;
  private final RunbookRegistry registry;
  private final StepDispatch kinds;
  private final Tries tries;
  private final Scheduler scheduler;
  private final Clock clock;
  private final RunTelemetry telemetry;
  // runbooks.secrets: in a try's bindings only, and masked in all the engine stores, logs or shows
  private final Secrets secrets;
  private final Loop loop = new Loop();
  private final LiveRuns runs;
  private final RolloutGuard guard;
  private final Admission admission;
  private final RunLeases leases;
  private final RunbookDecider decider;
  private volatile Duration decisionMargin = Duration.ZERO;

  /** What the engine needs; {@code jitter} returns values in [0, 1). */
  public record Deps(
      RunStore store,
      IncidentStore incidents,
      RunbookRegistry registry,
      RunbookReader reader,
      StepKinds kinds,
      StepServices steps,
      Escalation escalation,
      Notifications notifications,
      Scheduler scheduler,
      Clock clock,
      DoubleSupplier jitter,
      MeterRegistry meters,
      Tracing tracing,
      Secrets secrets) {

    /** Without runbook secrets. */
    public Deps(
        RunStore store,
        IncidentStore incidents,
        RunbookRegistry registry,
        RunbookReader reader,
        StepKinds kinds,
        StepServices steps,
        Escalation escalation,
        Notifications notifications,
        Scheduler scheduler,
        Clock clock,
        DoubleSupplier jitter,
        MeterRegistry meters,
        Tracing tracing) {
      this(
          store,
          incidents,
          registry,
          reader,
          kinds,
          steps,
          escalation,
          notifications,
          scheduler,
          clock,
          jitter,
          meters,
          tracing,
          Secrets.NONE);
    }
  }

  public Engine(Deps d) {
    this.store = d.store();
    this.incidents = d.incidents();
    this.registry = d.registry();
    this.scheduler = d.scheduler();
    this.clock = d.clock();
    this.telemetry = new RunTelemetry(d.tracing(), d.meters());
    this.kinds = new StepDispatch(d.kinds());
    this.secrets = d.secrets();
    this.tries =
        new Tries(kinds, d.steps(), telemetry, secrets, d.jitter(), loop, this::at, this::feed);
    this.guard = new RolloutGuard(store, incidents, d.notifications(), clock, loop);
    this.admission = Admission.of(store, clock, loop, this::feed, this::writeFailed);
    this.runs =
        new LiveRuns(
            store,
            new RunVersions(registry, d.reader(), store, clock),
            telemetry,
            new RunOutcomes(incidents, d.escalation(), secrets, clock, guard),
            admission,
            secrets,
            kinds,
            clock,
            d.meters(),
            this::feed);
    this.leases =
        new RunLeases(store, clock, loop, runs.byId(), runs::giveUp, runs::resume, admission);
    this.decider =
        new RunbookDecider(
            registry, incidents, store, guard, d.escalation(), clock, loop, runs::create);
  }

  @Override
  public void init(Vertx vertx, Context context) {
    super.init(vertx, context);
    loop.bind(context);
  }

  /** Loads the guard's trips, resumes every unfinished run, decides incidents a crash left. */
  @Override
  public Future<?> start() {
    Instant now = clock.instant();
    // resumed runs take their concurrency slots before the runs of lost decisions ask for one
    return guard
        .load()
        .compose(v -> leases.resumeAtStart(now))
        .compose(n -> decider.decideLost(now.minus(decisionMargin)))
        .mapEmpty();
  }

  /**
   * Pauses every run where it is (SIGTERM): nothing more is written or started, and what was
   * running runs again at the next start or on another replica, like after a crash.
   */
  @Override
  public Future<?> stop() {
    return leases.pauseAll();
  }

  /** Replicas sharing a store: at start, incidents opened in the last {@code margin} wait. */
  public void setDecisionMargin(Duration margin) {
    this.decisionMargin = margin;
  }

  /**
   * Decides the incidents opened in the last {@link dev.vigil.ha.Replica#DECISION_LOOKBACK} before
   * {@code before} that have no run and no offer (their decision was lost in a crash).
   */
  public Future<Integer> decideLost(Instant before) {
    return decider.decideLost(before);
  }

  /** Replicas sharing a store: resumes the runs no replica holds any more; how many. */
  public Future<Integer> takeOver() {
    return leases.takeOver();
  }

  /** Every lease period: renews, drops runs another replica took, resumes stalled ones. */
  public Future<Void> renewLeases() {
    return leases.renew();
  }

  /** The pipeline's runbook stage: an opened incident gets its runbook (run, dry run or offer). */
  public Stage stage() {
    return Stage.of(
        "runbooks",
        events -> {
          onEvents(events);
          return Future.succeededFuture();
        });
  }

  /** Reacts to committed incident events (see {@link #stage}); does not wait for the runs. */
  public void onEvents(List<IncidentEvent> events) {
    decider.onEvents(events);
  }

  /** Starts {@code runbook} for {@code incident} by hand: always a real run. */
  public Future<RunRecord> startByHand(String runbook, IncidentId incident, String by) {
    return decider.startByHand(runbook, incident, by);
  }

  /** Stores a run and starts it at once or queues it behind its concurrency limit; as stored. */
  public Future<RunRecord> start(Runbook rb, Incident incident, Rollout.Mode mode, String by) {
    return decider.start(rb, incident, mode, by);
  }

  /** Approves or rejects the approval a run waits for (the first in graph order). */
  public Future<RunRecord> decide(RunId id, boolean approve, String by) {
    return decide(id, null, approve, by);
  }

  /**
   * Approves or rejects approval step {@code stepId} of a run (null: the first one waiting). Fails
   * with {@link EngineException}: NOT_FOUND for no such run or step, CONFLICT for a step that is
   * not an approval waiting for a decision.
   */
  public Future<RunRecord> decide(RunId id, String stepId, boolean approve, String by) {
    return loop.call(
        () -> {
          LiveRun r = runs.get(id);
          if (r == null) {
            return store.get(id).compose(f -> Future.failedFuture(Refusals.noApprovalIn(id, f)));
          }
          StepRun step = Refusals.waitingApproval(id, r.machine.steps(), stepId, kinds);
          return feed(r, new RunEvent.Decision(step.id(), approve, by)).compose(v -> stored(id));
        });
  }

  /**
   * Cancels a run by hand: unfinished steps are cancelled (tries told to stop), then the run ends
   * {@code cancelled}, a failure for {@code onFailure}. Fails with {@link EngineException}:
   * NOT_FOUND for an unknown run, CONFLICT for a finished one or one another replica runs.
   */
  public Future<RunRecord> cancel(RunId id, String by) {
    return loop.call(
        () -> {
          LiveRun r = runs.get(id);
          if (r == null) {
            return store.get(id).compose(f -> Future.failedFuture(Refusals.cannotCancel(id, f)));
          }
          if (r.machine.status().finished()) {
            // ending now: its end may not be stored yet, but it is decided
            return Future.failedFuture(Refusals.finished(id, r.machine.status()));
          }
          feed(r, new RunEvent.Cancel(by));
          return r.ended.future().compose(v -> stored(id));
        });
  }

  /**
   * True when a runbook will try to handle this incident on its own and hand it over if it cannot
   * (auto mode, {@code onFailure: escalate}, guard not tripped): escalation waits for the run. The
   * engine then calls {@link Escalation#runFailed} when such a run ends with the incident open.
   */
  public boolean willHandle(Incident incident) {
    return decider.willHandle(incident);
  }

  /** The run as stored. */
  public Future<Optional<RunRecord>> run(RunId id) {
    return store.get(id);
  }

  /** Stored runs matching the query, newest first. */
  public Future<List<RunRecord>> runs(RunQuery query) {
    return store.list(query);
  }

  /** Runs not finished yet, including queued ones. */
  public int inFlight() {
    return runs.inFlight();
  }

  /** The guard's trip for a runbook, if its current version was switched to manual. */
  public Optional<RunStore.Trip> trip(String runbook, String version) {
    return guard.trip(runbook, version);
  }

  /** Success rate over the last window of finished runs of a runbook, once any finished. */
  public Optional<Double> successRate(String runbook) {
    return guard.successRate(runbook);
  }

  /** Hands {@code event} to the run's machine and carries out its commands; see {@link #run}. */
  private Future<Void> feed(LiveRun r, RunEvent event) {
    if (r.gone()) {
      return Future.succeededFuture();
    }
    return execute(r, r.machine.on(event, clock.instant()));
  }

  /** Carries out commands in order; completes once this batch's writes committed. */
  private Future<Void> execute(LiveRun r, List<RunCommand> commands) {
    List<Future<Void>> writes = new ArrayList<>();
    for (RunCommand c : commands) {
      if (c instanceof RunCommand.SaveSteps s) {
        writes.add(
            write(
                r,
                s.then(),
                () ->
                    Future.join(s.steps().stream().map(st -> store.saveStep(r.id, st)).toList())
                        .mapEmpty()));
      } else if (c instanceof RunCommand.SaveRun s) {
        writes.add(
            write(
                r,
                s.then(),
                () ->
                    store.saveRun(
                        r.id, s.status(), s.startedAt(), s.endedAt(), s.deadline(), s.error())));
      } else if (c instanceof RunCommand.Perform p) {
        tries.perform(r, p);
      } else if (c instanceof RunCommand.ArmWake w) {
        r.arm(w.step(), at(w.at(), () -> feed(r, r.woken(w.step()))));
      } else if (c instanceof RunCommand.CancelWake w) {
        r.cancelTimer(w.step());
      } else if (c instanceof RunCommand.ArmRunTimeout t) {
        r.runTimer = at(t.at(), () -> feed(r, new RunEvent.TimedOut()));
      } else if (c instanceof RunCommand.CancelTry t) {
        r.cancelTry(t.step());
      } else if (c instanceof RunCommand.DropTry t) {
        r.tries.remove(t.step());
      } else if (c instanceof RunCommand.StepEnded e) {
        telemetry.stepEnded(r, e);
      } else if (c instanceof RunCommand.Log l) {
        RunTelemetry.log(LOG, r, l);
      } else if (c instanceof RunCommand.Halt h) {
        r.stopAll();
        admission.release(r);
        telemetry.halted(r, h);
      } else if (c instanceof RunCommand.Finished f) {
        runs.finished(r, f);
      }
    }
    return Future.join(writes).mapEmpty();
  }

  /** A write: a run given up writes nothing; a failure stalls the run; else {@code then}. */
  private Future<Void> write(LiveRun r, RunEvent then, Supplier<Future<Void>> write) {
    Future<Void> w =
        r.abandoned
            ? Future.failedFuture(new IllegalStateException("run " + r.id + " was given up here"))
            : write.get();
    Promise<Void> done = Promise.promise();
    w.onComplete(
        ar ->
            loop.run(
                () -> {
                  if (ar.failed()) {
                    writeFailed(r, ar.cause());
                    done.fail(ar.cause());
                  } else {
                    done.complete();
                    feed(r, then);
                  }
                }));
    return done.future();
  }

  /** A timer whose task runs on the engine's loop. */
  private Scheduler.Timer at(Instant when, Runnable task) {
    return scheduler.at(
        when,
        () -> {
          loop.run(task);
          return Future.succeededFuture();
        });
  }

  private Future<RunRecord> stored(RunId id) {
    return store.get(id).map(Optional::orElseThrow);
  }

  private void writeFailed(LiveRun r, Throwable e) {
    leases.writeFailed(r, e);
  }
}
