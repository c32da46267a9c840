package dev.vigil.runbook.engine;

import dev.vigil.config.Durations;
import dev.vigil.config.Problems;
import dev.vigil.expr.Bindings;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.Secrets;
import dev.vigil.expr.Template;
import dev.vigil.expr.Values;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.Stage;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.Selection;
import dev.vigil.runbook.Step;
import dev.vigil.runbook.action.Attempt;
import dev.vigil.runbook.action.Escalation;
import dev.vigil.runbook.action.Notifications;
import dev.vigil.runbook.action.RenderedAction;
import dev.vigil.runbook.action.StepKind;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.action.StepOutcome;
import dev.vigil.runbook.action.StepServices;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook engine: executes runs as event-driven state machines on one Vert.x event loop (this
 * verticle's context). There is no thread per run: a run is a small object whose steps move forward
 * when an action's future completes or a timer fires, so ten thousand waiting runs cost only
 * memory.
 *
 * <p><b>Durability.</b> Every transition (a step starts, ends, waits, backs off; a run starts,
 * ends) is written to the {@link RunStore} and only after the write commits does it take effect
 * (the action is performed, dependants start, timers are armed). On start the engine resumes every
 * unfinished run from the store: finished steps are never repeated, a {@code wait} or retry backoff
 * waits only for what is left, an approval keeps waiting, and a step that was running when the
 * process died runs again (at-least-once) unless it says {@code onResume: fail}.
 *
 * <p>A run keeps the runbook version it started with: its source text is stored with it and parsed
 * again after a restart.
 *
 * <p>All public methods may be called from any thread; they hop onto the engine's context.
 */
public final class Engine extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final RunStore store;
  private final IncidentStore incidents;
  private final RunbookRegistry registry;
  private final RunbookReader reader;
  private final StepKinds kinds;
  private final StepServices steps;
  private final Escalation escalation;
  private final Notifications notifications;
  private final Scheduler scheduler;
  private final Clock clock;
  private final DoubleSupplier jitter;
  private final MeterRegistry meters;
  private final Tracing tracing;
  // runbooks.secrets: inserted into a try's bindings only, and redacted from all the engine stores,
  // logs or shows
  private final Secrets secrets;

  // state below is touched only on the engine's context
  private final Map<RunId, LiveRun> live = new HashMap<>();
  private final Map<String, Integer> activeByKey = new HashMap<>();
  private final Map<String, Deque<LiveRun>> queued = new HashMap<>();
  // replicas sharing the store: keys with an admission under way, and those asked again meanwhile
  private final java.util.Set<String> admitting = new java.util.HashSet<>();
  private final java.util.Set<String> admitAgain = new java.util.HashSet<>();
  private final Map<String, Runbook> versions = new HashMap<>();
  private final java.util.Set<RunId> stalled = new java.util.HashSet<>();
  // runs held in the store but not in memory at the last renewal (engine context), see renewLeases
  private final java.util.Set<RunId> unknown = new java.util.HashSet<>();
  // incidents whose runbook decision is being made now (engine context): a lost-decision sweep
  // leaves them alone
  private final java.util.Set<IncidentId> deciding = new java.util.HashSet<>();
  // read from other threads (the runbook API)
  private final Map<String, RunStore.Trip> trips = new ConcurrentHashMap<>();
  private final Map<String, Double> successRates = new ConcurrentHashMap<>();
  private volatile int inFlight;
  private boolean stopping; // engine context only
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
    this.reader = d.reader();
    this.kinds = d.kinds();
    this.steps = d.steps();
    this.escalation = d.escalation();
    this.notifications = d.notifications();
    this.scheduler = d.scheduler();
    this.clock = d.clock();
    this.jitter = d.jitter();
    this.meters = d.meters();
    this.tracing = d.tracing();
    this.secrets = d.secrets();
    Gauge.builder("vigil.runbook.runs.in.flight", this, e -> e.inFlight)
        .description("Runbook runs not finished (running, waiting or queued)")
        .register(meters);
  }

  /**
   * Loads the guard's trips, resumes every unfinished run, and decides incidents a crash left
   * undecided.
   */
  @Override
  public Future<?> start() {
    Instant now = clock.instant();
    return store
        .trips()
        .compose(
            t -> {
              trips.putAll(t);
              return store.claim(now, true);
            })
        .compose(
            runs -> {
              // resumed runs take their concurrency slots before the runs of lost decisions ask for
              // one
              resumeAll(runs);
              if (!runs.isEmpty()) {
                LOG.atInfo().log(
                    "runbook engine: resumed "
                        + runs.size()
                        + " unfinished run"
                        + (runs.size() == 1 ? "" : "s"));
              }
              return decideLost(now.minus(decisionMargin));
            })
        .mapEmpty();
  }

  /**
   * Replicas sharing a store: at start, leave incidents opened in the last {@code margin} to the
   * replica that opened them (it is deciding them now); the leader's sweep decides them if it did
   * not.
   */
  public void setDecisionMargin(Duration margin) {
    this.decisionMargin = margin;
  }

  /**
   * Decides the incidents opened in the last {@link dev.vigil.ha.Replica#DECISION_LOOKBACK} before
   * {@code before} that have no run and no offer (their decision was lost in a crash). With
   * replicas, the leader calls this periodically with {@code before} a lease period back, so an
   * incident another replica has just opened and is deciding now is not decided twice.
   */
  public Future<Integer> decideLost(Instant before) {
    return store
        .undecided(before.minus(dev.vigil.ha.Replica.DECISION_LOOKBACK), before)
        .compose(
            undecided -> {
              Promise<Integer> done = Promise.promise();
              onContext(
                  () -> {
                    // an incident decided right now (just opened, or by the previous sweep) is not
                    // undecided: its run is being stored
                    List<IncidentId> lost =
                        undecided.stream().filter(id -> !deciding.contains(id)).toList();
                    if (!lost.isEmpty()) {
                      LOG.atInfo().log(
                          "runbook engine: deciding "
                              + lost.size()
                              + " incident(s) whose runbook decision was lost in a crash");
                    }
                    Future.join(lost.stream().map(this::decide).toList())
                        .onComplete(v -> done.complete(lost.size()));
                  });
              return done.future();
            });
  }

  /**
   * Replicas sharing a store: resumes the runs no replica holds any more (their replica died or
   * stopped); completes with how many were taken over.
   */
  public Future<Integer> takeOver() {
    return store
        .claim(clock.instant(), false)
        .compose(
            runs -> {
              Promise<Integer> taken = Promise.promise();
              onContext(
                  () -> {
                    List<RunRecord> fresh =
                        stopping
                            ? List.of()
                            : runs.stream().filter(r -> !live.containsKey(r.id())).toList();
                    resumeAll(fresh);
                    if (!fresh.isEmpty()) {
                      LOG.atInfo().log(
                          "runbook engine: took over "
                              + fresh.size()
                              + " unfinished run"
                              + (fresh.size() == 1 ? "" : "s")
                              + " from a replica that stopped");
                    }
                    taken.complete(fresh.size());
                  });
              return taken.future();
            });
  }

  /**
   * Called every lease renewal period: renews this replica's leases on its runs (replicas sharing a
   * store) and resumes the runs that stalled on a store failure, now that the store answers. A run
   * whose lease another replica took (this one could not renew in time) is dropped here without
   * writing anything: the other replica carries it on.
   */
  public Future<Void> renewLeases() {
    Promise<java.util.Set<RunId>> before = Promise.promise();
    onContext(() -> before.complete(new java.util.HashSet<>(live.keySet())));
    return before
        .future()
        .compose(
            wasLive ->
                store
                    .renew(clock.instant())
                    .compose(
                        held -> {
                          Promise<List<RunId>> retry = Promise.promise();
                          onContext(
                              () -> {
                                for (RunId id : wasLive) {
                                  LiveRun r = live.get(id);
                                  // a run finishing now is no longer unfinished in the store, but
                                  // it is not lost either
                                  if (r != null && !r.status.finished() && !held.contains(id)) {
                                    LOG.atWarn()
                                        .addKeyValue("run", id.toString())
                                        .log(
                                            "run "
                                                + id
                                                + " is held by another replica now (this one could not renew its "
                                                + "lease in time); leaving it to that replica");
                                    giveUp(r);
                                  }
                                }
                                List<RunId> again =
                                    new ArrayList<>(
                                        stalled.stream().filter(held::contains).toList());
                                // held in the store, unknown here, at two renewals in a row: a
                                // creation that committed but whose
                                // answer was lost (the connection dropped at COMMIT). Without this
                                // it would be renewed forever and
                                // never run. (One renewal is not enough: a creation may have
                                // committed and not answered yet.)
                                java.util.Set<RunId> unknownNow = new java.util.HashSet<>(held);
                                unknownNow.removeAll(live.keySet());
                                unknownNow.removeAll(stalled);
                                for (RunId id : unknownNow) {
                                  if (unknown.contains(id)) {
                                    LOG.atWarn()
                                        .addKeyValue("run", id.toString())
                                        .log(
                                            "run "
                                                + id
                                                + " is stored as this replica's but was not running here "
                                                + "(its creation's answer was lost): it resumes");
                                    again.add(id);
                                  }
                                }
                                unknown.clear();
                                unknownNow.stream()
                                    .filter(id -> !again.contains(id))
                                    .forEach(unknown::add);
                                stalled.clear();
                                if (store.shared()) {
                                  // a slot freed on another replica does not tell this one: queued
                                  // runs ask again every period
                                  List.copyOf(queued.keySet()).forEach(this::admitQueued);
                                }
                                retry.complete(again);
                              });
                          return retry.future();
                        }))
        .compose(
            again ->
                Future.join(
                        again.stream()
                            .map(
                                id ->
                                    store
                                        .get(id)
                                        .onFailure(e -> onContext(() -> stalled.add(id)))
                                        .onSuccess(
                                            found ->
                                                onContext(
                                                    () ->
                                                        found
                                                            .filter(
                                                                rec ->
                                                                    !rec.status().finished()
                                                                        && !live.containsKey(
                                                                            rec.id()))
                                                            .ifPresent(
                                                                rec -> {
                                                                  LOG.atInfo()
                                                                      .addKeyValue(
                                                                          "run", id.toString())
                                                                      .log(
                                                                          "run "
                                                                              + id
                                                                              + " resumes from its stored state");
                                                                  resume(rec);
                                                                }))))
                            .toList())
                    .mapEmpty());
  }

  private void resumeAll(List<RunRecord> runs) {
    // runs that hold a concurrency slot first, so queued ones see the slots taken
    runs.stream().filter(r -> r.status() != RunStatus.PENDING).forEach(this::resume);
    runs.stream().filter(r -> r.status() == RunStatus.PENDING).forEach(this::resume);
  }

  private static void pause(LiveRun r) {
    if (r.runTimer != null) {
      r.runTimer.cancel();
    }
    r.timers.values().forEach(Scheduler.Timer::cancel);
    r.attempts.values().forEach(Attempt.Cancellation::cancel);
    r.stepSpans.values().forEach(sp -> Tracing.end(sp, "paused", null));
    Tracing.end(r.span, "paused", null);
  }

  /**
   * Pauses every run where it is (SIGTERM): timers are dropped, in-flight tries are told to stop,
   * and nothing more is written or started. What was running stays {@code running} in the store and
   * runs again at the next start, like after a crash.
   */
  @Override
  public Future<?> stop() {
    Promise<Void> done = Promise.promise();
    onContext(
        () -> {
          stopping = true;
          live.values().forEach(Engine::pause);
          if (!live.isEmpty()) {
            LOG.atInfo().log(
                "runbook engine: paused "
                    + live.size()
                    + " unfinished run"
                    + (live.size() == 1 ? "" : "s")
                    + "; they resume at the next start, or on another replica");
          }
          done.complete();
        });
    // another replica resumes them at once instead of waiting for the leases to run out
    return done.future()
        .compose(
            v ->
                store
                    .release()
                    .recover(
                        e -> {
                          LOG.atWarn()
                              .log(
                                  "runbook engine: could not release its run leases ("
                                      + e.getMessage()
                                      + "); other replicas take the runs over "
                                      + "when the leases run out");
                          return Future.succeededFuture();
                        }));
  }

  // ---------------------------------------------------------------- entry points

  /**
   * The pipeline's runbook stage: an opened incident gets its runbook (run, dry run or offer), from
   * the event's incident and alerts, with no read. The decision is made on the engine's context;
   * the stage does not wait for it (runs are the engine's to pace).
   */
  public Stage stage() {
    return Stage.of(
        "runbooks",
        events -> {
          onEvents(events);
          return Future.succeededFuture();
        });
  }

  /** Reacts to committed incident events (see {@link #stage}). */
  public void onEvents(List<IncidentEvent> events) {
    for (IncidentEvent e : events) {
      if (e instanceof IncidentEvent.Opened o) {
        onContext(() -> decide(o.incident(), o.alerts()));
      }
    }
  }

  /** The decision for an incident a lost-decision sweep found: read it and its alerts. */
  private Future<Void> decide(IncidentId id) {
    return whileDeciding(
        id,
        () ->
            incidents
                .get(id)
                .compose(
                    found -> {
                      Promise<Void> made = Promise.promise();
                      onContext(
                          () ->
                              found
                                  .map(
                                      inc ->
                                          opened(
                                              inc,
                                              incidents
                                                  .alerts(id)
                                                  .map(
                                                      as ->
                                                          as.stream()
                                                              .map(StoredAlert::alert)
                                                              .toList())))
                                  .orElse(Future.succeededFuture())
                                  .onComplete(v -> made.complete()));
                      return made.future();
                    })
                .onFailure(
                    e ->
                        LOG.atError()
                            .addKeyValue("incident", id.toString())
                            .log(
                                "runbook engine: cannot read opened incident "
                                    + id
                                    + ": "
                                    + e.getMessage())));
  }

  /** The decision for an incident just opened, from its event's data (engine context). */
  private Future<Void> decide(Incident incident, List<dev.vigil.alert.Alert> alerts) {
    return whileDeciding(incident.id(), () -> opened(incident, Future.succeededFuture(alerts)));
  }

  /**
   * Runs {@code decision} unless the incident is being decided already; the future completes once
   * the run or offer is stored (or failed), and until then a lost-decision sweep leaves the
   * incident alone.
   */
  private Future<Void> whileDeciding(
      IncidentId id, java.util.function.Supplier<Future<?>> decision) {
    if (!deciding.add(id)) {
      return Future.succeededFuture();
    }
    Promise<Void> made = Promise.promise();
    decision.get().onComplete(v -> made.complete());
    return made.future().onComplete(v -> onContext(() -> deciding.remove(id)));
  }

  private Future<?> opened(Incident incident, Future<List<dev.vigil.alert.Alert>> alerts) {
    if (incident.dropped()) {
      return Future.succeededFuture();
    }
    Optional<Selection> sel = registry.select(incident);
    if (sel.isEmpty()) {
      return Future.succeededFuture();
    }
    Runbook rb = sel.get().runbook();
    Rollout.Mode mode = sel.get().mode();
    RunStore.Trip trip = trips.get(rb.name());
    if (trip != null && trip.version().equals(rb.version()) && mode != Rollout.Mode.MANUAL) {
      return offer(incident, rb, "its rollout guard switched it to manual (" + trip.reason() + ")");
    }
    if (mode == Rollout.Mode.MANUAL) {
      return offer(
          incident,
          rb,
          rb.rollout().mode() == Rollout.Mode.MANUAL
              ? "it is in manual mode"
              : "this incident is outside its " + rb.rollout().percent() + "% rollout");
    }
    return alerts
        .compose(as -> call(() -> create(rb, incident, as, mode, "auto")))
        .onFailure(
            e -> {
              if (e instanceof RunStore.AlreadyDecided) {
                LOG.atInfo()
                    .addKeyValue("incident", incident.id().toString())
                    .log("runbook engine: " + e.getMessage() + " (another replica decided it)");
                return;
              }
              LOG.atError()
                  .addKeyValue("incident", incident.id().toString())
                  .addKeyValue("runbook", rb.name())
                  .log(
                      "runbook engine: cannot start "
                          + rb.name()
                          + " for "
                          + incident.id()
                          + ": "
                          + e.getMessage());
              if (rb.onFailure() == Runbook.IncidentOutcome.ESCALATE) {
                escalation.runFailed(
                    incident.id(),
                    "runbook:" + rb.name(),
                    "runbook " + rb.name() + " could not start: " + e.getMessage());
              }
            });
  }

  private Future<?> offer(Incident incident, Runbook rb, String why) {
    String text =
        "runbook "
            + rb.name()
            + " matches but was not started: "
            + why
            + ". Start it with POST /api/v1/runbooks/"
            + rb.name()
            + "/runs {\"incident\": \""
            + incident.id()
            + "\"}";
    LOG.atInfo()
        .addKeyValue("incident", incident.id().toString())
        .addKeyValue("runbook", rb.name())
        .log(text);
    return incidents.append(
        incident.id(),
        new TimelineEvent(clock.instant(), "runbook-offered", "runbook:" + rb.name(), text));
  }

  /**
   * Starts {@code runbook} for {@code incident} by hand (manual mode, or again): always a real run.
   */
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

  /**
   * Starts a run: computes the start bindings and the concurrency key, stores the run, and starts
   * it at once or queues it behind its concurrency limit. The future holds the run as stored.
   */
  public Future<RunRecord> start(Runbook rb, Incident incident, Rollout.Mode mode, String by) {
    return incidents
        .alerts(incident.id())
        .compose(
            alerts ->
                call(
                    () ->
                        create(
                            rb,
                            incident,
                            alerts.stream().map(StoredAlert::alert).toList(),
                            mode,
                            by)));
  }

  private Future<RunRecord> create(
      Runbook rb, Incident incident, List<dev.vigil.alert.Alert> as, Rollout.Mode mode, String by) {
    Instant now = clock.instant();
    Map<String, Object> base = new LinkedHashMap<>();
    base.put(
        "alert",
        as.isEmpty()
            ? Map.of(
                "labels",
                incident.labels(),
                "annotations",
                Map.of(),
                "status",
                "firing",
                "startsAt",
                "",
                "fingerprint",
                "")
            : Bindings.alert(as.get(0)));
    base.put("alerts", Bindings.alerts(as));
    base.put("incident", Bindings.incident(incident));
    base.put("team", Bindings.team(incident.team(), incident.team(), ""));
    Map<String, Object> start;
    String key = null;
    String error = null;
    try {
      start = rb.startBindings(base);
      if (rb.concurrency().isPresent()) {
        key = rb.name() + "/" + rb.concurrency().get().key().render(start, Template.Insertion.TEXT);
      }
    } catch (EvalException e) {
      start = new LinkedHashMap<>(base);
      start.put("vars", Map.of());
      start.put("steps", Map.of());
      error = "vars or concurrency key cannot be computed: " + e.getMessage();
    }
    start.remove("steps");
    List<StepRun> steps =
        rb.stepsInOrder().stream().map(s -> StepRun.pending(s.id(), s.kind())).toList();
    RunRecord record =
        new RunRecord(
            null,
            incident.id(),
            rb.name(),
            rb.version(),
            rb.file().toString(),
            rb.source(),
            mode,
            RunStatus.PENDING,
            key,
            plainMap(start),
            now,
            null,
            null,
            null,
            null,
            by,
            steps);
    versions.put(rb.version(), rb);
    String failure = error;
    return store
        .create(record)
        .map(
            id -> {
              RunRecord stored = withId(record, id);
              if (live.containsKey(id)) {
                // the commit's answer came so late that the renewal took the run for lost and
                // resumed it already
                return stored;
              }
              LiveRun r = new LiveRun(stored, rb);
              traceRun(r, false);
              live.put(id, r);
              inFlight = live.size();
              log(r)
                  .log(
                      "run "
                          + id
                          + " of runbook "
                          + rb.name()
                          + " ("
                          + rb.version()
                          + ", "
                          + mode.wire()
                          + ") created for "
                          + incident.id());
              timeline(
                  r,
                  "run "
                      + id
                      + " of runbook "
                      + rb.name()
                      + (mode == Rollout.Mode.DRY_RUN ? " (dry run)" : "")
                      + " created by "
                      + by);
              if (failure != null) {
                finishRun(r, RunStatus.FAILED, failure);
              } else {
                admit(r);
              }
              return stored;
            });
  }

  /**
   * Approves or rejects the approval a run is waiting for (the first in graph order when several
   * wait).
   */
  public Future<RunRecord> decide(RunId id, boolean approve, String by) {
    return decide(id, null, approve, by);
  }

  /**
   * Approves or rejects the approval step {@code stepId} of a run (null: the first one waiting).
   * Fails with {@link EngineException}: NOT_FOUND when there is no such run or step, CONFLICT when
   * the step is not an approval waiting for a decision.
   */
  public Future<RunRecord> decide(RunId id, String stepId, boolean approve, String by) {
    return call(
        () -> {
          LiveRun r = live.get(id);
          if (r == null) {
            return store
                .get(id)
                .compose(
                    found ->
                        Future.failedFuture(
                            found.isEmpty()
                                ? new EngineException(
                                    EngineException.Reason.NOT_FOUND,
                                    "run " + id + " does not exist")
                                : new EngineException(
                                    EngineException.Reason.CONFLICT,
                                    "run "
                                        + id
                                        + " is "
                                        + found.get().status().wire()
                                        + " and waits for no approval")));
          }
          if (stepId != null && !r.steps.containsKey(stepId)) {
            return Future.failedFuture(
                new EngineException(
                    EngineException.Reason.NOT_FOUND,
                    "run "
                        + id
                        + " has no step \""
                        + stepId
                        + "\" (steps: "
                        + String.join(", ", r.steps.keySet())
                        + ")"));
          }
          Optional<StepRun> waiting =
              r.steps.values().stream()
                  .filter(s -> stepId == null || s.id().equals(stepId))
                  .filter(s -> awaitsDecision(s.kind()) && s.status() == StepStatus.WAITING)
                  .findFirst();
          if (waiting.isEmpty()) {
            StepRun named = stepId == null ? null : r.steps.get(stepId);
            return Future.failedFuture(
                new EngineException(
                    EngineException.Reason.CONFLICT,
                    named == null
                        ? "run " + id + " waits for no approval"
                        : "step "
                            + stepId
                            + " of run "
                            + id
                            + (awaitsDecision(named.kind())
                                ? " is " + named.status().wire() + ", not waiting for a decision"
                                : " is a " + named.kind() + " step, not an approval")));
          }
          Step step = r.runbook.step(waiting.get().id()).orElseThrow();
          Instant now = clock.instant();
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("decision", approve ? "approved" : "rejected");
          out.put("by", by);
          out.put("at", now.toString());
          cancelTimer(r, step.id());
          return endStep(
                  r,
                  step,
                  approve ? StepStatus.SUCCEEDED : StepStatus.FAILED,
                  out,
                  approve ? null : "rejected by " + by)
              .compose(v -> store.get(id))
              .map(Optional::orElseThrow);
        });
  }

  /**
   * True when a runbook will try to handle this incident on its own and hand it over if it cannot
   * (it matches, runs in auto mode for this incident, says {@code onFailure: escalate}, and its
   * rollout guard has not tripped): the escalator's {@code RunbookGate}, so that escalation waits
   * for the run (unless the severity pages at once). The engine then calls {@link
   * Escalation#runFailed} whenever such a run ends with the incident still open.
   */
  public boolean willHandle(Incident incident) {
    Optional<Selection> sel = registry.select(incident);
    return sel.isPresent()
        && sel.get().holdsEscalation()
        && trip(sel.get().runbook().name(), sel.get().runbook().version()).isEmpty();
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
    RunStore.Trip t = trips.get(runbook);
    return t != null && t.version().equals(version) ? Optional.of(t) : Optional.empty();
  }

  /**
   * Success rate over the last window of finished runs of a runbook, once any finished since start.
   */
  public Optional<Double> successRate(String runbook) {
    return Optional.ofNullable(successRates.get(runbook));
  }

  // ---------------------------------------------------------------- scheduling a run

  /** Starts the run now if its concurrency key has room, else queues it (it stays pending). */
  private void admit(LiveRun r) {
    String key = r.record.concurrencyKey();
    if (key != null && store.shared()) {
      // runs of this key run on other replicas too: only the store sees every slot
      queued.computeIfAbsent(key, k -> new ArrayDeque<>()).add(r);
      admitQueued(key);
      return;
    }
    if (key != null) {
      int limit = r.runbook.concurrency().map(Runbook.Concurrency::limit).orElse(Integer.MAX_VALUE);
      int active = activeByKey.getOrDefault(key, 0);
      if (active >= limit) {
        queued.computeIfAbsent(key, k -> new ArrayDeque<>()).add(r);
        log(r)
            .log(
                "run "
                    + r.id
                    + " queued: "
                    + active
                    + " run(s) of key "
                    + key
                    + " already running (limit "
                    + limit
                    + ")");
        return;
      }
      activeByKey.put(key, active + 1);
    }
    Instant now = clock.instant();
    Instant deadline = now.plus(r.runbook.timeout());
    r.status = RunStatus.RUNNING;
    r.startedAt = now;
    r.deadline = deadline;
    persistRun(r, null)
        .onSuccess(
            v -> {
              armRunTimeout(r);
              advance(r);
            });
  }

  /**
   * Replicas sharing the store: asks the store to admit the runs queued here for {@code key},
   * oldest first, until it refuses one. One admission of a key is under way at a time (two at once
   * could start the same run twice); a call meanwhile makes it ask once more when it ends, so a
   * slot freed during it is not missed until the next lease period.
   */
  private void admitQueued(String key) {
    if (!admitting.add(key)) {
      admitAgain.add(key);
      return;
    }
    Deque<LiveRun> q = queued.get(key);
    LiveRun r = q == null ? null : q.peek();
    if (r == null) {
      admitting.remove(key);
      admitAgain.remove(key);
      queued.remove(key);
      return;
    }
    int limit = r.runbook.concurrency().map(Runbook.Concurrency::limit).orElse(Integer.MAX_VALUE);
    Instant now = clock.instant();
    Instant deadline = now.plus(r.runbook.timeout());
    store
        .admit(r.id, key, limit, now, deadline)
        .onComplete(
            ar ->
                onContext(
                    () -> {
                      admitting.remove(key);
                      boolean again = admitAgain.remove(key);
                      if (live.get(r.id) != r) {
                        // given up meanwhile (release took it off the queue): the next one may ask
                        admitQueued(key);
                        return;
                      }
                      if (ar.failed()) {
                        // like any failed write: the run stalls and comes back at the next period
                        // that finds the
                        // store answering; the rest of the queue asks then too, not now against a
                        // failing store
                        q.remove(r);
                        storeFailed(r, ar.cause());
                        return;
                      }
                      if (!ar.result()) {
                        if (!r.toldQueued) {
                          r.toldQueued = true;
                          log(r)
                              .log(
                                  "run "
                                      + r.id
                                      + " queued: key "
                                      + key
                                      + " has no free slot among the replicas (limit "
                                      + limit
                                      + ")");
                        }
                        if (again) {
                          admitQueued(key);
                        }
                        return;
                      }
                      q.remove(r);
                      // the store wrote the run running with these times: no separate write here
                      r.status = RunStatus.RUNNING;
                      r.startedAt = now;
                      r.deadline = deadline;
                      armRunTimeout(r);
                      advance(r);
                      admitQueued(key);
                    }));
  }

  private void release(LiveRun r) {
    String key = r.record.concurrencyKey();
    if (key == null || r.startedAt == null || r.released) {
      Deque<LiveRun> q = key == null ? null : queued.get(key);
      if (q != null) {
        q.remove(r);
      }
      return;
    }
    r.released = true;
    if (store.shared()) {
      // the slot is the run's row in the store: it frees once the run's end is stored (finishRun
      // then admits the next)
      return;
    }
    activeByKey.merge(key, -1, Integer::sum);
    if (activeByKey.get(key) <= 0) {
      activeByKey.remove(key);
    }
    Deque<LiveRun> q = queued.get(key);
    if (q != null && !q.isEmpty()) {
      LiveRun next = q.poll();
      if (q.isEmpty()) {
        queued.remove(key);
      }
      admit(next);
    }
  }

  private void armRunTimeout(LiveRun r) {
    r.runTimer =
        at(
            r.deadline,
            () ->
                onContext(
                    () -> {
                      if (live.get(r.id) == r && !r.status.finished()) {
                        timeOut(r);
                      }
                    }));
  }

  /**
   * The run's timeout: every unfinished step is cancelled (in-flight tries are told to stop), then
   * the run ends timed-out.
   */
  private void timeOut(LiveRun r) {
    endEarly(
        r, RunStatus.TIMED_OUT, "run timed out after " + Durations.format(r.runbook.timeout()));
  }

  /**
   * Cancels a run by hand: every unfinished step is cancelled (in-flight tries are told to stop, as
   * at a timeout), then the run ends {@code cancelled}, which counts as a failure for {@code
   * onFailure}. Fails with {@link EngineException}: NOT_FOUND for an unknown run, CONFLICT for a
   * finished one or one this replica does not hold (replicas sharing a store: ask the replica that
   * runs it).
   */
  public Future<RunRecord> cancel(RunId id, String by) {
    return call(
        () -> {
          LiveRun r = live.get(id);
          if (r != null && r.status.finished()) {
            // ending now: its end may not be stored yet, but it is decided
            return Future.failedFuture(
                new EngineException(
                    EngineException.Reason.CONFLICT,
                    "run " + id + " is " + r.status.wire() + " already"));
          }
          if (r == null) {
            return store
                .get(id)
                .compose(
                    found ->
                        Future.failedFuture(
                            found.isEmpty()
                                ? new EngineException(
                                    EngineException.Reason.NOT_FOUND,
                                    "run " + id + " does not exist")
                                : new EngineException(
                                    EngineException.Reason.CONFLICT,
                                    found.get().status().finished()
                                        ? "run "
                                            + id
                                            + " is "
                                            + found.get().status().wire()
                                            + " already"
                                        : "run " + id + " is not running on this replica")));
          }
          Promise<Void> ended = Promise.promise();
          endEarly(r, RunStatus.CANCELLED, "cancelled by " + by, ended);
          return ended.future().compose(v -> store.get(id)).map(Optional::orElseThrow);
        });
  }

  private void endEarly(LiveRun r, RunStatus status, String why) {
    endEarly(r, status, why, Promise.promise());
  }

  /**
   * Cancels every unfinished step, then ends the run with {@code status}; {@code stored} completes
   * once the run's end is written.
   */
  private void endEarly(LiveRun r, RunStatus status, String why, Promise<Void> stored) {
    Instant now = clock.instant();
    List<Future<Void>> writes = new ArrayList<>();
    for (StepRun s : List.copyOf(r.steps.values())) {
      if (!s.status().finished()) {
        Attempt.Cancellation c = r.attempts.remove(s.id());
        if (c != null) {
          c.cancel();
        }
        cancelTimer(r, s.id());
        StepRun ended = s.ended(StepStatus.CANCELLED, now, s.output(), why);
        r.steps.put(s.id(), ended);
        writes.add(saveStep(r, ended));
      }
    }
    Future.join(writes).onComplete(ar -> finishRun(r, status, why, stored));
  }

  /** Starts every step whose needs are all finished; ends the run when every step is. */
  private void advance(LiveRun r) {
    if (r.status.finished() || live.get(r.id) != r) {
      return;
    }
    boolean allDone = true;
    for (Step s : r.runbook.stepsInOrder()) {
      StepRun st = r.steps.get(s.id());
      if (!st.status().finished()) {
        allDone = false;
      }
      if (st.status() != StepStatus.PENDING || st.wakeAt() != null || r.starting.contains(s.id())) {
        continue;
      }
      boolean ready = true;
      String blocked = null;
      for (String need : s.needs()) {
        StepRun n = r.steps.get(need);
        if (!n.status().finished()) {
          ready = false;
          break;
        }
        boolean ok =
            n.status() == StepStatus.SUCCEEDED
                || r.runbook
                    .step(need)
                    .map(x -> x.onFailure() == Step.FailurePolicy.CONTINUE)
                    .orElse(false);
        if (!ok && blocked == null) {
          blocked =
              "needs "
                  + need
                  + ", which "
                  + (n.status() == StepStatus.SKIPPED ? "was skipped" : n.status().wire());
        }
      }
      if (!ready) {
        continue;
      }
      if (blocked != null) {
        skip(r, s, blocked);
        continue;
      }
      boolean dry = r.record.mode() == Rollout.Mode.DRY_RUN;
      // a dry run has no step results: templates and conditions that read them stay undecided
      Map<String, Object> b = dry ? dryBindings(r) : bindings(r);
      String whenNote = null;
      if (dry
          && s.when().isPresent()
          && !s.needs().isEmpty()
          && s.when().get().source().contains("steps.")) {
        whenNote =
            " (when "
                + s.when().get().source()
                + " reads step results: decided only in a real run)";
      } else if (s.when().isPresent()) {
        try {
          if (!s.when().get().test(b)) {
            skip(r, s, "when " + s.when().get().source() + " is false");
            continue;
          }
        } catch (EvalException e) {
          if (r.record.mode() != Rollout.Mode.DRY_RUN) {
            r.starting.add(s.id());
            endStep(r, s, StepStatus.FAILED, Map.of(), "when: " + e.getMessage());
            continue;
          }
          whenNote =
              " (when "
                  + s.when().get().source()
                  + " can only be decided in a real run: "
                  + e.getMessage()
                  + ")";
        }
      }
      startAttempt(r, s, b, whenNote);
    }
    if (allDone) {
      // RUNBOOKS.md: a run succeeds when no step failed or timed out. onFailure: continue lets
      // dependants run; it does not turn the failure into a success.
      boolean failed = r.steps.values().stream().anyMatch(x -> x.status().failure());
      String error =
          failed
              ? r.steps.values().stream()
                  .filter(x -> x.status().failure())
                  .map(x -> x.id() + ": " + x.error())
                  .findFirst()
                  .orElse("a step failed")
              : null;
      finishRun(r, failed ? RunStatus.FAILED : RunStatus.SUCCEEDED, error);
    }
  }

  private void skip(LiveRun r, Step s, String why) {
    r.starting.add(s.id());
    Instant now = clock.instant();
    StepRun st = r.steps.get(s.id());
    StepRun skipped =
        new StepRun(
            st.id(),
            st.kind(),
            StepStatus.SKIPPED,
            st.attempts(),
            null,
            now,
            null,
            Map.of(),
            why,
            null);
    r.steps.put(s.id(), skipped);
    saveStep(r, skipped)
        .onComplete(
            ar ->
                onContext(
                    () -> {
                      r.starting.remove(s.id());
                      if (ar.failed()) {
                        storeFailed(r, ar.cause());
                        return;
                      }
                      advance(r);
                    }));
  }

  // ---------------------------------------------------------------- one try of one step

  private void startAttempt(LiveRun r, Step s, Map<String, Object> b, String whenNote) {
    Instant now = clock.instant();
    StepRun st = r.steps.get(s.id());
    int number = st.attempts() + 1;
    boolean dry = r.record.mode() == Rollout.Mode.DRY_RUN;
    RenderedAction action;
    if (dry) {
      action = s.spec().preview(b);
    } else {
      try {
        action = s.spec().render(b);
      } catch (EvalException e) {
        r.starting.add(s.id());
        r.steps.put(s.id(), st.running(number, now, null));
        endStep(r, s, StepStatus.FAILED, Map.of(), "cannot render the step: " + e.getMessage());
        return;
      }
    }
    String rendered = secrets.redact(action.summary()) + (whenNote == null ? "" : whenNote);
    StepRun running = st.running(number, now, rendered);
    r.steps.put(s.id(), running);
    r.starting.add(s.id());
    if (dry) {
      endStep(r, s, StepStatus.SUCCEEDED, Map.of(), null);
      return;
    }
    Attempt.Cancellation cancellation = new Attempt.Cancellation();
    r.attempts.put(s.id(), cancellation);
    saveStep(r, running)
        .onComplete(
            ar ->
                onContext(
                    () -> {
                      r.starting.remove(s.id());
                      if (ar.failed()) {
                        storeFailed(r, ar.cause());
                        return;
                      }
                      if (r.status.finished() || cancellation.cancelled()) {
                        return;
                      }
                      perform(r, s, number, action, b, cancellation);
                    }));
  }

  private void perform(
      LiveRun r,
      Step s,
      int number,
      RenderedAction action,
      Map<String, Object> b,
      Attempt.Cancellation cancellation) {
    StepKind a = kinds.get(s.kind()).orElse(null);
    Optional<Duration> perTry = a == null || a.timeoutPerTry() ? s.timeout() : Optional.empty();
    Span span =
        r.stepSpans.computeIfAbsent(
            s.id(),
            k ->
                tracing
                    .child("vigil.runbook.step", r.span, r.record.incident())
                    .setAttribute("runbook", r.runbook.name())
                    .setAttribute("run.id", r.id.toString())
                    .setAttribute("step.id", s.id())
                    .setAttribute("step.kind", s.kind()));
    span.addEvent("try " + number);
    Attempt attempt =
        new Attempt(
            r.id.toString(),
            r.runbook.name(),
            r.record.incident(),
            s.id(),
            s.spec(),
            number,
            action,
            b,
            perTry,
            cancellation,
            tracing.headers(span));
    long startedNanos = System.nanoTime();
    r.stepStarted.putIfAbsent(s.id(), startedNanos);
    if (perTry.isPresent()) {
      Scheduler.Timer t =
          at(
              clock.instant().plus(perTry.get()),
              () ->
                  onContext(
                      () -> {
                        if (current(r, s, number)) {
                          cancellation.cancel();
                          outcome(
                              r,
                              s,
                              number,
                              StepOutcome.timedOut(
                                  s.kind()
                                      + " step "
                                      + s.id()
                                      + " timed out after "
                                      + Durations.format(perTry.get())
                                      + " (try "
                                      + number
                                      + ")",
                                  Map.of()));
                        }
                      }));
      cancellation.add(t::cancel);
    }
    Future<StepOutcome> f;
    try {
      f =
          a == null
              ? Future.succeededFuture(
                  StepOutcome.failed("no action for step kind " + s.kind(), Map.of()))
              : a.perform(attempt, steps);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(
        ar ->
            onContext(
                () -> {
                  if (!current(r, s, number)) {
                    return; // timed out or cancelled meanwhile: that outcome was recorded
                  }
                  if (ar.failed()) {
                    // the cause's message may quote the request, secret and all: then only its
                    // redacted text is logged
                    var failure =
                        LOG.atError()
                            .addKeyValue("run", r.id.toString())
                            .addKeyValue("step", s.id());
                    (secrets.reveals(String.valueOf(ar.cause()))
                            ? failure
                            : failure.setCause(ar.cause()))
                        .log(
                            "runbook action "
                                + s.kind()
                                + " failed unexpectedly: "
                                + secrets.redact(String.valueOf(ar.cause())));
                    outcome(
                        r, s, number, StepOutcome.failed(s.kind() + ": " + ar.cause(), Map.of()));
                  } else {
                    outcome(r, s, number, ar.result());
                  }
                }));
  }

  /**
   * True while try {@code number} of the step is the one running (not timed out, cancelled or
   * replaced).
   */
  private boolean current(LiveRun r, Step s, int number) {
    StepRun st = r.steps.get(s.id());
    return live.get(r.id) == r
        && !r.status.finished()
        && st.status() == StepStatus.RUNNING
        && st.attempts() == number;
  }

  private void outcome(LiveRun r, Step s, int number, StepOutcome raw) {
    StepOutcome o = redact(raw);
    Attempt.Cancellation c = r.attempts.remove(s.id());
    if (o instanceof StepOutcome.Done d) {
      if (c != null) {
        c.cancel(); // releases the per-try timer
      }
      endStep(r, s, StepStatus.SUCCEEDED, d.output(), null);
    } else if (o instanceof StepOutcome.Failed f) {
      if (c != null) {
        c.cancel();
      }
      if (number < s.retry().attempts()) {
        Duration base = s.retry().delayAfter(number);
        // equal jitter: half the delay fixed, half random, so delays still grow with each try
        long ms =
            base.toMillis() / 2
                + (long) (jitter.getAsDouble() * (base.toMillis() - base.toMillis() / 2));
        Instant wake = clock.instant().plus(Duration.ofMillis(Math.max(1, ms)));
        StepRun retrying = r.steps.get(s.id()).retrying(wake, f.error(), f.output());
        r.steps.put(s.id(), retrying);
        log(r)
            .addKeyValue("step", s.id())
            .addKeyValue("attempt", number)
            .log(
                "step "
                    + s.id()
                    + " try "
                    + number
                    + " failed ("
                    + f.error()
                    + "); retrying in "
                    + ms
                    + " ms");
        saveStep(r, retrying)
            .onComplete(
                ar ->
                    onContext(
                        () -> {
                          if (ar.failed()) {
                            storeFailed(r, ar.cause());
                            return;
                          }
                          armWake(r, s, wake);
                        }));
      } else {
        endStep(
            r, s, f.timedOut() ? StepStatus.TIMED_OUT : StepStatus.FAILED, f.output(), f.error());
      }
    } else if (o instanceof StepOutcome.Suspend p) {
      if (c != null) {
        r.attempts.put(s.id(), c); // a suspended step stays cancellable by the run timeout
      }
      StepRun waiting = r.steps.get(s.id()).waiting(p.wakeAt());
      r.steps.put(s.id(), waiting);
      r.wakeRules.put(s.id(), p);
      saveStep(r, waiting)
          .onComplete(
              ar ->
                  onContext(
                      () -> {
                        if (ar.failed()) {
                          storeFailed(r, ar.cause());
                          return;
                        }
                        if (p.wakeAt() != null) {
                          armWake(r, s, p.wakeAt());
                        }
                      }));
    }
  }

  /**
   * Arms the timer of a pending retry or a waiting step; what happens at wake-up depends on which.
   */
  private void armWake(LiveRun r, Step s, Instant wake) {
    cancelTimer(r, s.id());
    r.timers.put(s.id(), at(wake, () -> onContext(() -> wake(r, s))));
  }

  private void wake(LiveRun r, Step s) {
    r.timers.remove(s.id());
    if (live.get(r.id) != r || r.status.finished()) {
      return;
    }
    StepRun st = r.steps.get(s.id());
    if (st.status() == StepStatus.PENDING && st.wakeAt() != null) {
      r.steps.put(s.id(), st.awake());
      advance(r);
    } else if (st.status() == StepStatus.WAITING) {
      r.attempts.remove(s.id());
      StepOutcome.Suspend rule = r.wakeRules.getOrDefault(s.id(), defaultWake(s));
      if (rule.failOnWake()) {
        endStep(r, s, StepStatus.TIMED_OUT, st.output(), rule.wakeError());
      } else {
        endStep(r, s, StepStatus.SUCCEEDED, Map.of(), null);
      }
    }
  }

  /**
   * After a restart the wake rule is known from the kind: a wait succeeds, an approval times out.
   */
  private StepOutcome.Suspend defaultWake(Step s) {
    return kinds
        .get(s.kind())
        .map(StepKind::wakeAfterRestart)
        .orElse(new StepOutcome.Suspend(null, false, null));
  }

  /** Whether a person's decision ends a waiting step of {@code kind} (an approval). */
  private boolean awaitsDecision(String kind) {
    return kinds.get(kind).map(StepKind::awaitsDecision).orElse(false);
  }

  /** Ends a step: stored first, then its result is visible to dependants and they may start. */
  private Future<Void> endStep(
      LiveRun r, Step s, StepStatus status, Map<String, Object> output, String error) {
    Instant now = clock.instant();
    r.starting.add(s.id());
    StepRun ended = r.steps.get(s.id()).ended(status, now, output, error);
    r.steps.put(s.id(), ended);
    r.wakeRules.remove(s.id());
    Span span = r.stepSpans.remove(s.id());
    if (span != null) {
      Tracing.end(span, status.wire(), error);
    }
    Long started = r.stepStarted.remove(s.id());
    if (started != null) {
      Timer.builder("vigil.runbook.step.duration")
          .description("Runbook step durations, from the first try to the end")
          .tags("runbook", r.runbook.name(), "step", s.id(), "kind", s.kind())
          .register(meters)
          .record(Duration.ofNanos(System.nanoTime() - started));
    }
    if (status != StepStatus.SUCCEEDED) {
      log(r).addKeyValue("step", s.id()).log("step " + s.id() + " " + status.wire() + ": " + error);
    }
    Promise<Void> done = Promise.promise();
    saveStep(r, ended)
        .onComplete(
            ar ->
                onContext(
                    () -> {
                      r.starting.remove(s.id());
                      if (ar.failed()) {
                        storeFailed(r, ar.cause());
                        done.fail(ar.cause());
                        return;
                      }
                      done.complete();
                      advance(r);
                    }));
    return done.future();
  }

  // ---------------------------------------------------------------- the end of a run

  private void finishRun(LiveRun r, RunStatus status, String error) {
    finishRun(r, status, error, Promise.promise());
  }

  /**
   * Ends the run; {@code stored} completes once its end is written (at once when it had ended
   * already, failed if the write failed).
   */
  private void finishRun(LiveRun r, RunStatus status, String error, Promise<Void> stored) {
    if (r.status.finished()) {
      stored.tryComplete();
      return;
    }
    r.status = status;
    if (r.runTimer != null) {
      r.runTimer.cancel();
    }
    r.timers.values().forEach(Scheduler.Timer::cancel);
    r.timers.clear();
    r.attempts.values().forEach(Attempt.Cancellation::cancel);
    r.attempts.clear();
    release(r);
    Instant now = clock.instant();
    r.endedAt = now;
    boolean dry = r.record.mode() == Rollout.Mode.DRY_RUN;
    r.stepSpans.values().forEach(sp -> Tracing.end(sp, "cancelled", null));
    r.stepSpans.clear();
    Tracing.end(r.span, dry ? "dry-run" : status.wire(), error);
    Counter.builder("vigil.runbook.runs")
        .description("Finished runbook runs by outcome (dry runs as dry-run)")
        .tags("runbook", r.runbook.name(), "outcome", dry ? "dry-run" : status.wire())
        .register(meters)
        .increment();
    persistRun(r, error)
        .onComplete(stored)
        .onSuccess(
            v -> {
              live.remove(r.id);
              inFlight = live.size();
              if (store.shared() && r.record.concurrencyKey() != null) {
                admitQueued(r.record.concurrencyKey());
              }
              log(r)
                  .log(
                      "run "
                          + r.id
                          + " of runbook "
                          + r.runbook.name()
                          + " "
                          + status.wire()
                          + (error == null ? "" : ": " + error));
              String text =
                  "run "
                      + r.id
                      + " of runbook "
                      + r.runbook.name()
                      + (dry ? " (dry run)" : "")
                      + " "
                      + status.wire()
                      + (error == null ? "" : ": " + error);
              timeline(r, text)
                  .onComplete(
                      x -> {
                        if (dry) {
                          return;
                        }
                        if (status == RunStatus.SUCCEEDED
                            && r.runbook.onSuccess() == Runbook.IncidentOutcome.RESOLVE) {
                          incidents
                              .resolve(
                                  r.record.incident(),
                                  "runbook:" + r.runbook.name(),
                                  "runbook " + r.runbook.name() + " succeeded (" + r.id + ")",
                                  clock.instant())
                              .onFailure(
                                  e -> {
                                    if (!(e instanceof IncidentException)) {
                                      LOG.atError()
                                          .addKeyValue("run", r.id.toString())
                                          .log(
                                              "run "
                                                  + r.id
                                                  + ": cannot resolve "
                                                  + r.record.incident()
                                                  + ": "
                                                  + e.getMessage());
                                    }
                                  });
                        } else if (status != RunStatus.SUCCEEDED
                            && r.runbook.onFailure() == Runbook.IncidentOutcome.ESCALATE) {
                          escalation.runFailed(
                              r.record.incident(),
                              "runbook:" + r.runbook.name(),
                              "runbook "
                                  + r.runbook.name()
                                  + " "
                                  + status.wire()
                                  + " ("
                                  + r.id
                                  + ")"
                                  + (error == null ? "" : ": " + error));
                        } else if (status == RunStatus.SUCCEEDED
                            && r.runbook.onFailure() == Runbook.IncidentOutcome.ESCALATE) {
                          // escalation waited for this run (willHandle); the run did its part but
                          // left the incident open
                          escalation.runFailed(
                              r.record.incident(),
                              "runbook:" + r.runbook.name(),
                              "runbook "
                                  + r.runbook.name()
                                  + " succeeded ("
                                  + r.id
                                  + ") but does not resolve the incident (onSuccess: none): handing it over to people");
                        }
                        guard(r);
                      });
            });
  }

  /**
   * The rollout guard: below {@code minSuccessRate} over the last {@code window} finished runs, the
   * runbook version goes manual.
   */
  private void guard(LiveRun r) {
    Rollout ro = r.runbook.rollout();
    store
        .recentOutcomes(r.runbook.name(), r.runbook.version(), ro.window())
        .onSuccess(
            outcomes ->
                onContext(
                    () -> {
                      if (outcomes.isEmpty()) {
                        return;
                      }
                      long ok = outcomes.stream().filter(o -> o == RunStatus.SUCCEEDED).count();
                      double rate = (double) ok / outcomes.size();
                      successRates.put(r.runbook.name(), rate);
                      if (outcomes.size() < ro.window()
                          || rate >= ro.minSuccessRate()
                          || trip(r.runbook.name(), r.runbook.version()).isPresent()) {
                        return;
                      }
                      String reason =
                          String.format(
                              java.util.Locale.ROOT,
                              "success rate %.2f over the last %d runs is below minSuccessRate %.2f",
                              rate,
                              outcomes.size(),
                              ro.minSuccessRate());
                      Instant now = clock.instant();
                      trips.put(
                          r.runbook.name(), new RunStore.Trip(r.runbook.version(), reason, now));
                      store.trip(r.runbook.name(), r.runbook.version(), reason, now);
                      String text =
                          "runbook "
                              + r.runbook.name()
                              + " ("
                              + r.runbook.version()
                              + ") switched itself to manual: "
                              + reason
                              + ". Edit the runbook file to switch it back.";
                      LOG.atWarn().addKeyValue("runbook", r.runbook.name()).log(text);
                      incidents.append(
                          r.record.incident(),
                          new TimelineEvent(
                              now, "runbook-guard", "runbook:" + r.runbook.name(), text));
                      notifications.send(
                          new Notifications.Intent(
                              r.record.incident(),
                              "ops",
                              "",
                              text,
                              "guard/" + r.runbook.name() + "/" + r.runbook.version()));
                    }));
  }

  // ---------------------------------------------------------------- resume

  private void resume(RunRecord rec) {
    Runbook rb = versionOf(rec);
    if (rb == null) {
      return;
    }
    LiveRun r = new LiveRun(rec, rb);
    traceRun(r, true);
    r.status = rec.status();
    r.startedAt = rec.startedAt();
    r.deadline = rec.deadline();
    live.put(r.id, r);
    inFlight = live.size();
    if (rec.status() == RunStatus.PENDING) {
      admit(r);
      return;
    }
    if (rec.concurrencyKey() != null && !store.shared()) {
      activeByKey.merge(rec.concurrencyKey(), 1, Integer::sum);
    }
    Instant now = clock.instant();
    List<Future<Void>> writes = new ArrayList<>();
    for (Step s : rb.steps()) {
      StepRun st = r.steps.get(s.id());
      if (st.status() == StepStatus.RUNNING) {
        if (s.onResume() == Step.ResumePolicy.FAIL) {
          StepRun failed =
              st.ended(
                  StepStatus.FAILED,
                  now,
                  st.output(),
                  "interrupted by a restart of Vigil while running (onResume: fail)");
          r.steps.put(s.id(), failed);
          writes.add(saveStep(r, failed));
        } else {
          // at-least-once: the try that was under way runs again as a new try
          log(r)
              .addKeyValue("step", s.id())
              .log("step " + s.id() + " was running when Vigil stopped; running it again");
          r.steps.put(s.id(), st.with(StepStatus.PENDING));
        }
      } else if ((st.status() == StepStatus.PENDING || st.status() == StepStatus.WAITING)
          && st.wakeAt() != null) {
        armWake(r, s, st.wakeAt());
      }
    }
    Future.join(writes)
        .onComplete(
            ar -> {
              armRunTimeout(r);
              advance(r);
            });
  }

  /**
   * The runbook version a stored run started with: in memory, the registry's, or parsed from the
   * stored source.
   */
  private Runbook versionOf(RunRecord rec) {
    Runbook rb = versions.get(rec.version());
    if (rb == null) {
      rb =
          registry
              .byName(rec.runbook())
              .filter(x -> x.version().equals(rec.version()))
              .orElse(null);
    }
    Problems problems = new Problems();
    if (rb == null && rec.source() != null) {
      rb =
          reader
              .parse(
                  rec.source().getBytes(StandardCharsets.UTF_8),
                  Path.of(rec.file()),
                  rec.file(),
                  problems)
              .orElse(null);
    }
    if (rb == null) {
      // nothing to run it with: fail it once, rather than leave it unfinished (and resumed again at
      // every renewal)
      String error =
          "runbook "
              + rec.runbook()
              + " version "
              + rec.version()
              + (rec.source() == null
                  ? " is no longer loaded and its source was not stored"
                  : " no longer loads: " + problems);
      LOG.atError()
          .addKeyValue("run", rec.id().toString())
          .log("run " + rec.id() + " cannot resume: " + error);
      store.saveRun(
          rec.id(), RunStatus.FAILED, rec.startedAt(), clock.instant(), rec.deadline(), error);
      return null;
    }
    versions.put(rb.version(), rb);
    return rb;
  }

  // ---------------------------------------------------------------- small parts

  /**
   * Stores a step's transition; a run this engine gave up (its store failed, another replica holds
   * it) writes nothing more.
   */
  private Future<Void> saveStep(LiveRun r, StepRun step) {
    return r.abandoned ? givenUp(r) : store.saveStep(r.id, step);
  }

  private static Future<Void> givenUp(LiveRun r) {
    return Future.failedFuture(new IllegalStateException("run " + r.id + " was given up here"));
  }

  private Future<Void> persistRun(LiveRun r, String error) {
    if (r.abandoned) {
      return givenUp(r);
    }
    return store
        .saveRun(r.id, r.status, r.startedAt, r.endedAt, r.deadline, error)
        .transform(
            ar -> {
              Promise<Void> p = Promise.promise();
              onContext(
                  () -> {
                    if (ar.failed()) {
                      storeFailed(r, ar.cause());
                      p.fail(ar.cause());
                    } else {
                      p.complete();
                    }
                  });
              return p.future();
            });
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
    stalled.add(r.id);
  }

  /**
   * Drops a run from memory: its timers and tries are cancelled, its concurrency slot freed, and it
   * writes nothing more.
   */
  private void giveUp(LiveRun r) {
    pause(r);
    r.abandoned = true;
    live.remove(r.id);
    release(r);
    inFlight = live.size();
  }

  /**
   * A step's outcome as it may be stored, logged and read by later steps: with every secret value
   * masked.
   */
  private StepOutcome redact(StepOutcome o) {
    if (o instanceof StepOutcome.Done d) {
      return new StepOutcome.Done(secrets.redactMap(d.output()));
    }
    if (o instanceof StepOutcome.Failed f) {
      return new StepOutcome.Failed(
          secrets.redact(f.error()), f.timedOut(), secrets.redactMap(f.output()));
    }
    return o;
  }

  private Future<Void> timeline(LiveRun r, String text) {
    return incidents
        .runLine(
            r.record.incident(),
            new TimelineEvent(
                clock.instant(), "runbook", "runbook:" + r.runbook.name(), secrets.redact(text)))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  private Map<String, Object> bindings(LiveRun r) {
    Map<String, Object> b = new LinkedHashMap<>(r.record.bindings());
    b.put(Secrets.BINDING, secrets); // this try's only: the run record's bindings never hold them
    Map<String, Object> steps = new LinkedHashMap<>();
    for (StepRun st : r.steps.values()) {
      if (st.status().finished()) {
        steps.put(
            st.id(),
            Bindings.stepResult(
                st.status().wire(),
                st.attempts(),
                st.error(),
                kinds.completeOutput(st.kind(), st.output())));
      }
    }
    b.put("steps", steps);
    return b;
  }

  private static Map<String, Object> dryBindings(LiveRun r) {
    Map<String, Object> b = new LinkedHashMap<>(r.record.bindings());
    b.put("steps", Map.of()); // reading steps.X fails, so a preview keeps the ${{ }} as written
    return b;
  }

  /**
   * A timer whose task hops onto the engine's context itself (every caller wraps it in onContext).
   */
  private Scheduler.Timer at(Instant when, Runnable task) {
    return scheduler.at(
        when,
        () -> {
          task.run();
          return Future.succeededFuture();
        });
  }

  private void cancelTimer(LiveRun r, String step) {
    Scheduler.Timer t = r.timers.remove(step);
    if (t != null) {
      t.cancel();
    }
  }

  private org.slf4j.spi.LoggingEventBuilder log(LiveRun r) {
    return Tracing.withTraceId(
        LOG.atInfo()
            .addKeyValue("run", r.id.toString())
            .addKeyValue("runbook", r.runbook.name())
            .addKeyValue("incident", r.record.incident().toString()),
        r.span);
  }

  /**
   * The run's span in its incident's trace; a resumed run gets a new span (the old one ended with
   * the process).
   */
  private void traceRun(LiveRun r, boolean resumed) {
    r.span =
        tracing
            .start("vigil.runbook.run", r.record.incident())
            .setAttribute("runbook", r.runbook.name())
            .setAttribute("runbook.version", r.runbook.version())
            .setAttribute("run.id", r.id.toString())
            .setAttribute("run.mode", r.record.mode().wire())
            .setAttribute("run.resumed", resumed);
  }

  /** Runs {@code task} on the engine's context; once the engine stopped, nothing runs any more. */
  private void onContext(Runnable task) {
    Context ctx = context;
    if (ctx == null || Vertx.currentContext() == ctx) {
      if (!stopping) {
        task.run();
      }
    } else {
      ctx.runOnContext(
          v -> {
            if (!stopping) {
              task.run();
            }
          });
    }
  }

  private <T> Future<T> call(Supplier<Future<T>> work) {
    Promise<T> p = Promise.promise();
    onContext(
        () -> {
          try {
            work.get().onComplete(p);
          } catch (RuntimeException e) {
            p.fail(e);
          }
        });
    return p.future();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> plainMap(Map<String, Object> m) {
    return (Map<String, Object>) Values.plain(m);
  }

  private static RunRecord withId(RunRecord r, RunId id) {
    return new RunRecord(
        id,
        r.incident(),
        r.runbook(),
        r.version(),
        r.file(),
        r.source(),
        r.mode(),
        r.status(),
        r.concurrencyKey(),
        r.bindings(),
        r.createdAt(),
        r.startedAt(),
        r.endedAt(),
        r.deadline(),
        r.error(),
        r.startedBy(),
        r.steps());
  }

  /**
   * A run in memory: the stored record it came from plus what moves. Touched only on the engine's
   * context.
   */
  private static final class LiveRun {
    final RunId id;
    final RunRecord record;
    final Runbook runbook;
    final Map<String, StepRun> steps = new LinkedHashMap<>();
    final Map<String, Scheduler.Timer> timers = new HashMap<>();
    final Map<String, Attempt.Cancellation> attempts = new HashMap<>();
    final Map<String, StepOutcome.Suspend> wakeRules = new HashMap<>();
    final Map<String, Long> stepStarted = new HashMap<>();
    final Map<String, Span> stepSpans = new HashMap<>();
    Span span = Span.getInvalid();
    final java.util.Set<String> starting = new java.util.HashSet<>();
    RunStatus status;
    Instant startedAt;
    Instant endedAt;
    Instant deadline;
    Scheduler.Timer runTimer;
    boolean released;
    boolean abandoned;
    boolean toldQueued;

    LiveRun(RunRecord record, Runbook runbook) {
      this.id = record.id();
      this.record = record;
      this.runbook = runbook;
      this.status = record.status();
      record.steps().forEach(s -> steps.put(s.id(), s));
    }
  }
}
