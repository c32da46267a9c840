package dev.vigil.runbook.engine;

import dev.vigil.alert.Alert;
import dev.vigil.expr.Secrets;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.Stage;
import dev.vigil.incident.StoredAlert;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.action.Action;
import dev.vigil.runbook.action.Attempt;
import dev.vigil.runbook.action.Escalation;
import dev.vigil.runbook.action.Notifications;
import dev.vigil.runbook.action.StepOutcome;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

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
  private final StepDispatch dispatch;
  private final Scheduler scheduler;
  private final Clock clock;
  private final DoubleSupplier jitter;
  private final MeterRegistry meters;
  private final Tracing tracing;
  // runbooks.secrets: in a try's bindings only, and masked in all the engine stores, logs or shows
  private final Secrets secrets;
  private final Loop loop = new Loop();
  private final Map<RunId, LiveRun> live = new HashMap<>(); // engine loop only
  private final RunVersions versions;
  private final RunOutcomes outcomes;
  private final RolloutGuard guard;
  private final Admission admission;
  private final RunLeases leases;
  private final RunbookDecider decider;
  private volatile int inFlight;
  private volatile Duration decisionMargin = Duration.ZERO;

  /** What the engine needs; {@code jitter} returns values in [0, 1). */
  public record Deps(
      RunStore store,
      IncidentStore incidents,
      RunbookRegistry registry,
      RunbookReader reader,
      List<Action> actions,
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
        List<Action> actions,
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
          actions,
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
    this.dispatch = new StepDispatch(d.actions());
    this.scheduler = d.scheduler();
    this.clock = d.clock();
    this.jitter = d.jitter();
    this.meters = d.meters();
    this.tracing = d.tracing();
    this.secrets = d.secrets();
    this.versions = new RunVersions(registry, d.reader(), store, clock);
    this.outcomes = new RunOutcomes(incidents, d.escalation(), secrets, clock);
    this.guard = new RolloutGuard(store, incidents, d.notifications(), clock, loop);
    Runs runs = new Runs();
    this.admission = Admission.of(store, clock, loop, runs);
    this.leases = new RunLeases(store, clock, loop, runs, admission);
    this.decider =
        new RunbookDecider(
            registry, incidents, store, guard, d.escalation(), clock, loop, this::create);
    Gauge.builder("vigil.runbook.runs.in.flight", this, e -> e.inFlight)
        .description("Runbook runs not finished (running, waiting or queued)")
        .register(meters);
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
   * Pauses every run where it is (SIGTERM): timers are dropped, tries in flight told to stop, and
   * nothing more is written or started. What was running stays so in the store and runs again at
   * the next start (or on another replica: the leases are released), like after a crash.
   */
  @Override
  public Future<?> stop() {
    Promise<Void> paused = Promise.promise();
    loop.run(
        () -> {
          loop.stop();
          live.values().forEach(LiveRun::pause);
          if (!live.isEmpty()) {
            LOG.atInfo().log(
                "runbook engine: paused "
                    + live.size()
                    + " unfinished run(s); they resume at the"
                    + " next start, or on another replica");
          }
          paused.complete();
        });
    return paused
        .future()
        .compose(v -> store.release())
        .recover(
            e -> {
              LOG.atWarn()
                  .log(
                      "runbook engine: could not release its run leases ("
                          + e.getMessage()
                          + "); other replicas take the runs over when the leases run out");
              return Future.succeededFuture();
            });
  }

  // ---------------------------------------------------------------- the API other parts use

  /**
   * Replicas sharing a store: at start, leave incidents opened in the last {@code margin} to the
   * replica that opened them; the leader's sweep decides them if it did not.
   */
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

  /**
   * Every lease renewal period: renews this replica's leases, drops the runs another replica took,
   * resumes the runs that stalled on a store failure.
   */
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
    Runbook rb = registry.byName(runbook).orElse(null);
    if (rb == null) {
      return Future.failedFuture(
          new EngineException(
              EngineException.Reason.NOT_FOUND, "runbook " + runbook + " does not exist"));
    }
    return incidents
        .get(incident)
        .compose(
            found -> {
              Incident inc = found.orElseThrow(() -> IncidentException.notFound(incident));
              if (!inc.status().isOpen()) {
                return Future.failedFuture(
                    new EngineException(
                        EngineException.Reason.CONFLICT, "incident " + incident + " is resolved"));
              }
              return start(rb, inc, Rollout.Mode.AUTO, by);
            });
  }

  /** Stores a run and starts it at once or queues it behind its concurrency limit; as stored. */
  public Future<RunRecord> start(Runbook rb, Incident incident, Rollout.Mode mode, String by) {
    return incidents
        .alerts(incident.id())
        .compose(as -> loop.call(() -> create(rb, incident, alertsOf(as), mode, by)));
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
          LiveRun r = live.get(id);
          if (r == null) {
            return store.get(id).compose(f -> Future.failedFuture(Refusals.noApprovalIn(id, f)));
          }
          StepRun step = Refusals.waitingApproval(id, r.machine.steps(), stepId);
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
          LiveRun r = live.get(id);
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
    return inFlight;
  }

  /** The guard's trip for a runbook, if its current version was switched to manual. */
  public Optional<RunStore.Trip> trip(String runbook, String version) {
    return guard.trip(runbook, version);
  }

  /** Success rate over the last window of finished runs of a runbook, once any finished. */
  public Optional<Double> successRate(String runbook) {
    return guard.successRate(runbook);
  }

  // ---------------------------------------------------------------- runs in memory

  private Future<RunRecord> create(
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
              String what = "run " + id + " of runbook " + rb.name();
              log(r)
                  .log(
                      what
                          + " ("
                          + rb.version()
                          + ", "
                          + mode.wire()
                          + ") created for "
                          + incident.id());
              outcomes.timeline(r, what + (r.dryRun() ? " (dry run)" : "") + " created by " + by);
              if (n.error() != null) {
                feed(r, new RunEvent.Fail(n.error()));
              } else {
                admission.admit(r);
              }
              return stored;
            });
  }

  private void resume(RunRecord rec) {
    Runbook rb = versions.of(rec);
    if (rb == null) {
      return;
    }
    LiveRun r = open(rec, rb, true);
    if (rec.status() == RunStatus.PENDING) {
      admission.admit(r);
    } else {
      admission.holding(r);
      feed(r, new RunEvent.Resume());
    }
  }

  /** A run in memory, with its span in its incident's trace (a resumed run gets a new one). */
  private LiveRun open(RunRecord rec, Runbook rb, boolean resumed) {
    LiveRun r = new LiveRun(rec, rb, secrets);
    r.span =
        tracing
            .start("vigil.runbook.run", rec.incident())
            .setAttribute("runbook", rb.name())
            .setAttribute("runbook.version", rb.version())
            .setAttribute("run.id", r.id.toString())
            .setAttribute("run.mode", rec.mode().wire())
            .setAttribute("run.resumed", resumed);
    live.put(r.id, r);
    inFlight = live.size();
    return r;
  }

  /** Drops a run from memory: timers and tries stopped, slot freed; it writes nothing more. */
  private void giveUp(LiveRun r) {
    r.pause();
    r.abandoned = true;
    live.remove(r.id);
    admission.release(r);
    inFlight = live.size();
    r.ended.tryFail("run " + r.id + " was given up here");
  }

  /**
   * A write failed: the run stops here in memory and resumes from its last stored state at the next
   * lease renewal that finds the store answering (and this replica still holding the run).
   */
  private void storeFailed(LiveRun r, Throwable e) {
    if (r.abandoned) {
      return;
    }
    if (e instanceof RunStore.LeaseLost) {
      LOG.atWarn()
          .addKeyValue("run", r.id.toString())
          .log(e.getMessage() + "; its write was refused and this replica leaves it");
      giveUp(r);
      return;
    }
    LOG.atError()
        .addKeyValue("run", r.id.toString())
        .log(
            "run "
                + r.id
                + " stalled: the store refused a write ("
                + e.getMessage()
                + "); it resumes from its last stored state once the store answers");
    giveUp(r);
    leases.stalled(r.id);
  }

  // ---------------------------------------------------------------- carrying out commands

  /** Hands {@code event} to the run's machine and carries out its commands; see {@link #run}. */
  private Future<Void> feed(LiveRun r, RunEvent event) {
    if (live.get(r.id) != r) {
      return Future.succeededFuture(); // finished, or given up here
    }
    return execute(r, r.machine.on(event, clock.instant()));
  }

  /** Carries out commands in order; completes once this batch's writes committed. */
  private Future<Void> execute(LiveRun r, List<RunCommand> commands) {
    List<Future<Void>> writes = new java.util.ArrayList<>();
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
        perform(r, p);
      } else if (c instanceof RunCommand.ArmWake w) {
        r.arm(
            w.step(),
            at(
                w.at(),
                () -> {
                  r.timers.remove(w.step());
                  feed(r, new RunEvent.Wake(w.step()));
                }));
      } else if (c instanceof RunCommand.CancelWake w) {
        r.cancelTimer(w.step());
      } else if (c instanceof RunCommand.ArmRunTimeout t) {
        r.runTimer = at(t.at(), () -> feed(r, new RunEvent.TimedOut()));
      } else if (c instanceof RunCommand.CancelTry t) {
        r.cancelTry(t.step());
      } else if (c instanceof RunCommand.DropTry t) {
        r.tries.remove(t.step());
      } else if (c instanceof RunCommand.StepEnded e) {
        stepEnded(r, e);
      } else if (c instanceof RunCommand.Log l) {
        LoggingEventBuilder b = log(r);
        b = l.step() == null ? b : b.addKeyValue("step", l.step());
        (l.attempt() == null ? b : b.addKeyValue("attempt", l.attempt())).log(l.text());
      } else if (c instanceof RunCommand.Halt h) {
        halt(r, h);
      } else if (c instanceof RunCommand.Finished f) {
        finished(r, f);
      }
    }
    return Future.join(writes).mapEmpty();
  }

  /** A write: a run given up writes nothing; a failure stalls the run; else {@code then}. */
  private Future<Void> write(
      LiveRun r, RunEvent then, java.util.function.Supplier<Future<Void>> write) {
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
                    storeFailed(r, ar.cause());
                    done.fail(ar.cause());
                  } else {
                    done.complete();
                    feed(r, then);
                  }
                }));
    return done.future();
  }

  private void perform(LiveRun r, RunCommand.Perform p) {
    String step = p.step().id();
    int n = p.attempt();
    Attempt.Cancellation cancellation = new Attempt.Cancellation();
    r.tries.put(step, cancellation);
    Span span =
        r.stepSpans.computeIfAbsent(
            step,
            k ->
                tracing
                    .child("vigil.runbook.step", r.span, r.record.incident())
                    .setAttribute("runbook", r.runbook.name())
                    .setAttribute("run.id", r.id.toString())
                    .setAttribute("step.id", step)
                    .setAttribute("step.kind", p.step().kind()));
    span.addEvent("try " + n);
    Attempt attempt =
        new Attempt(
            r.id.toString(),
            r.runbook.name(),
            r.record.incident(),
            p.step(),
            n,
            p.action(),
            p.bindings(),
            p.timeout(),
            cancellation,
            tracing.headers(span));
    r.stepStarted.putIfAbsent(step, System.nanoTime());
    if (p.timesOutAt() != null) {
      Scheduler.Timer t =
          at(
              p.timesOutAt(),
              () -> feed(r, new RunEvent.TryTimedOut(step, n, jitter.getAsDouble())));
      cancellation.add(t::cancel);
    }
    dispatch
        .perform(attempt)
        .onComplete(
            ar ->
                loop.run(
                    () -> {
                      StepOutcome o = ar.succeeded() ? ar.result() : null;
                      if (ar.failed() && r.machine.current(step, n)) {
                        // the cause's message may quote the request, secret and all: then only its
                        // redacted text
                        var failure =
                            LOG.atError()
                                .addKeyValue("run", r.id.toString())
                                .addKeyValue("step", step);
                        (secrets.reveals(String.valueOf(ar.cause()))
                                ? failure
                                : failure.setCause(ar.cause()))
                            .log(
                                "runbook action "
                                    + p.step().kind()
                                    + " failed unexpectedly: "
                                    + secrets.redact(String.valueOf(ar.cause())));
                        o = StepOutcome.failed(p.step().kind() + ": " + ar.cause(), Map.of());
                      }
                      feed(r, new RunEvent.Outcome(step, n, o, jitter.getAsDouble()));
                    }));
  }

  private void stepEnded(LiveRun r, RunCommand.StepEnded e) {
    Span span = r.stepSpans.remove(e.step());
    if (span != null) {
      Tracing.end(span, e.status().wire(), e.error());
    }
    Long started = r.stepStarted.remove(e.step());
    if (started != null) {
      Timer.builder("vigil.runbook.step.duration")
          .description("Runbook step durations, from the first try to the end")
          .tags(
              "runbook",
              r.runbook.name(),
              "step",
              e.step(),
              "kind",
              r.machine.steps().get(e.step()).kind())
          .register(meters)
          .record(Duration.ofNanos(System.nanoTime() - started));
    }
  }

  /** The run ends: everything it runs stops, its slot frees, its spans end, it is counted. */
  private void halt(LiveRun r, RunCommand.Halt h) {
    r.stopAll();
    admission.release(r);
    String outcome = r.dryRun() ? "dry-run" : h.status().wire();
    r.stepSpans.values().forEach(sp -> Tracing.end(sp, "cancelled", null));
    r.stepSpans.clear();
    Tracing.end(r.span, outcome, h.error());
    Counter.builder("vigil.runbook.runs")
        .description("Finished runbook runs by outcome (dry runs as dry-run)")
        .tags("runbook", r.runbook.name(), "outcome", outcome)
        .register(meters)
        .increment();
  }

  /** The run's end is stored: it leaves memory, and its incident hears of it. */
  private void finished(LiveRun r, RunCommand.Finished f) {
    r.ended.tryComplete();
    live.remove(r.id);
    inFlight = live.size();
    admission.ended(r);
    log(r)
        .log(
            "run "
                + r.id
                + " of runbook "
                + r.runbook.name()
                + " "
                + f.status().wire()
                + (f.error() == null ? "" : ": " + f.error()));
    outcomes
        .finished(r, f.status(), f.error())
        .onComplete(
            x -> {
              if (!r.dryRun()) {
                guard.check(r.runbook, r.record.incident());
              }
            });
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

  private static List<Alert> alertsOf(List<StoredAlert> as) {
    return as.stream().map(StoredAlert::alert).toList();
  }

  private LoggingEventBuilder log(LiveRun r) {
    return Tracing.withTraceId(
        LOG.atInfo()
            .addKeyValue("run", r.id.toString())
            .addKeyValue("runbook", r.runbook.name())
            .addKeyValue("incident", r.record.incident().toString()),
        r.span);
  }

  /** What admission and leases ask of the engine. */
  private final class Runs implements Admission.Runs, RunLeases.Runs {
    @Override
    public void start(LiveRun r) {
      feed(r, new RunEvent.Start());
    }

    @Override
    public void started(LiveRun r, Instant startedAt, Instant deadline) {
      feed(r, new RunEvent.Admitted(startedAt, deadline));
    }

    @Override
    public boolean live(LiveRun r) {
      return live.get(r.id) == r;
    }

    @Override
    public void storeFailed(LiveRun r, Throwable e) {
      Engine.this.storeFailed(r, e);
    }

    @Override
    public void log(LiveRun r, String text) {
      Engine.this.log(r).log(text);
    }

    @Override
    public LiveRun get(RunId id) {
      return live.get(id);
    }

    @Override
    public Set<RunId> ids() {
      return live.keySet();
    }

    @Override
    public void giveUp(LiveRun r) {
      Engine.this.giveUp(r);
    }

    @Override
    public void resume(RunRecord rec) {
      Engine.this.resume(rec);
    }
  }
}
