package dev.vigil.runbook.engine;

import dev.vigil.alert.Alert;
import dev.vigil.ha.Replica;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentEvent;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.Selection;
import dev.vigil.runbook.action.Escalation;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which runbook an opened incident gets and what happens with it: a run (auto or dry run), an offer
 * on the timeline (manual mode, outside the rollout percentage, or switched to manual by the
 * rollout guard), or nothing. Also decides, after a crash, the incidents whose decision was lost,
 * and starts runs asked for by hand.
 */
final class RunbookDecider {
  private static final Logger LOG = LoggerFactory.getLogger(RunbookDecider.class);

  /** Creates and starts a run (the engine). */
  interface Starter {
    Future<RunRecord> create(
        Runbook rb, Incident incident, List<Alert> alerts, Rollout.Mode mode, String by);
  }

  /** What an incident gets. */
  sealed interface Choice {
    record None() implements Choice {}

    record Offer(Runbook runbook, String why) implements Choice {}

    record Start(Runbook runbook, Rollout.Mode mode) implements Choice {}
  }

  private final RunbookRegistry registry;
  private final IncidentStore incidents;
  private final RunStore store;
  private final RolloutGuard guard;
  private final Escalation escalation;
  private final Clock clock;
  private final Loop loop;
  private final Starter starter;
  // incidents whose decision is being made now (engine loop): a lost-decision sweep leaves them
  private final Set<IncidentId> deciding = new HashSet<>();

  /**
   * The {@code before} of this process's last lost-decision sweep that decided all it found: the
   * next sweep starts a little ahead of it, not a whole lookback back. An incident for which no
   * runbook matched leaves nothing in the store to say so, and every sweep over the lookback read
   * it again, with its alerts (every lease period, on the leader of several replicas; ADR 0149).
   */
  private volatile Instant sweptThrough;

  RunbookDecider(
      RunbookRegistry registry,
      IncidentStore incidents,
      RunStore store,
      RolloutGuard guard,
      Escalation escalation,
      Clock clock,
      Loop loop,
      Starter starter) {
    this.registry = registry;
    this.incidents = incidents;
    this.store = store;
    this.guard = guard;
    this.escalation = escalation;
    this.clock = clock;
    this.loop = loop;
    this.starter = starter;
  }

  /** What the incident gets, from the registry and the guard's trips alone. */
  Choice choose(Incident incident) {
    if (incident.dropped()) {
      return new Choice.None();
    }
    Optional<Selection> sel = registry.select(incident);
    if (sel.isEmpty()) {
      return new Choice.None();
    }
    Runbook rb = sel.get().runbook();
    Rollout.Mode mode = sel.get().mode();
    Optional<RunStore.Trip> trip = guard.trip(rb.name(), rb.version());
    if (trip.isPresent() && mode != Rollout.Mode.MANUAL) {
      return new Choice.Offer(
          rb, "its rollout guard switched it to manual (" + trip.get().reason() + ")");
    }
    if (mode == Rollout.Mode.MANUAL) {
      return new Choice.Offer(
          rb,
          rb.rollout().mode() == Rollout.Mode.MANUAL
              ? "it is in manual mode"
              : "this incident is outside its " + rb.rollout().percent() + "% rollout");
    }
    return new Choice.Start(rb, mode);
  }

  /** See {@link Engine#startByHand}. */
  Future<RunRecord> startByHand(String runbook, IncidentId incident, String by) {
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

  /** See {@link Engine#start}. */
  Future<RunRecord> start(Runbook rb, Incident incident, Rollout.Mode mode, String by) {
    return alertsOf(incident.id())
        .compose(as -> loop.call(() -> starter.create(rb, incident, as, mode, by)));
  }

  /** See {@link Engine#willHandle}. */
  boolean willHandle(Incident incident) {
    Optional<Selection> sel = registry.select(incident);
    return sel.isPresent()
        && sel.get().holdsEscalation()
        && guard.trip(sel.get().runbook().name(), sel.get().runbook().version()).isEmpty();
  }

  /** The decision for each incident opened, from its event's data, with no read. */
  void onEvents(List<IncidentEvent> events) {
    for (IncidentEvent e : events) {
      if (e instanceof IncidentEvent.Opened o) {
        loop.run(
            () ->
                whileDeciding(
                    o.incident().id(),
                    () -> opened(o.incident(), () -> Future.succeededFuture(o.alerts()))));
      }
    }
  }

  /** See {@link Engine#decideLost}. */
  Future<Integer> decideLost(Instant before) {
    if (registry.catalog().runbooks().isEmpty()) {
      // no runbook could be chosen: nothing is read (every incident of the lookback would be
      // "undecided", read with its alerts, and read again at every sweep)
      return Future.succeededFuture(0);
    }
    Instant since = before.minus(Replica.DECISION_LOOKBACK);
    Instant last = sweptThrough;
    if (last != null && last.minus(Replica.DECISION_OVERLAP).isAfter(since)) {
      since = last.minus(Replica.DECISION_OVERLAP);
    }
    return store
        .undecided(since, before)
        .compose(
            undecided -> {
              Promise<Integer> done = Promise.promise();
              loop.run(
                  () -> {
                    // an incident decided right now (just opened, or by the previous sweep) is not
                    // undecided: its run is being stored
                    List<IncidentId> lost =
                        undecided.stream().filter(id -> !deciding.contains(id)).toList();
                    if (!lost.isEmpty()) {
                      LOG.atInfo().log(
                          "runbook engine: deciding "
                              + lost.size()
                              + " incident(s) with no run or offer (a decision lost in a crash, or"
                              + " no runbook matched)");
                    }
                    // the mark moves only past incidents this sweep decided itself: one being
                    // decided elsewhere right now could still fail, and must be found again
                    boolean skipped = lost.size() < undecided.size();
                    Future.join(lost.stream().map(this::decideStored).toList())
                        .onComplete(
                            all -> {
                              if (all.succeeded() && !skipped) {
                                sweptThrough(before);
                              }
                              done.complete(lost.size());
                            });
                  });
              return done.future();
            });
  }

  /** Moves {@link #sweptThrough} forward to {@code before} (sweeps can overlap). */
  private synchronized void sweptThrough(Instant before) {
    if (sweptThrough == null || before.isAfter(sweptThrough)) {
      sweptThrough = before;
    }
  }

  /**
   * The decision for an incident a lost-decision sweep found: read it (and its alerts, if a run
   * starts). Fails if a run could not be stored, so that the next sweep looks again; a run another
   * replica stored counts as decided.
   */
  private Future<Void> decideStored(IncidentId id) {
    return whileDeciding(
        id,
        () ->
            incidents
                .get(id)
                .onFailure(
                    e ->
                        LOG.atError()
                            .addKeyValue("incident", id.toString())
                            .log(
                                "runbook engine: cannot read opened incident "
                                    + id
                                    + ": "
                                    + e.getMessage()))
                .compose(
                    found ->
                        loop.call(
                            () ->
                                found
                                    .map(inc -> opened(inc, () -> alertsOf(id)).<Void>mapEmpty())
                                    .orElse(Future.succeededFuture())))
                .recover(
                    e ->
                        e instanceof RunStore.AlreadyDecided
                            ? Future.succeededFuture()
                            : Future.failedFuture(e)));
  }

  private Future<List<Alert>> alertsOf(IncidentId id) {
    return incidents.alerts(id).map(as -> as.stream().map(StoredAlert::alert).toList());
  }

  /**
   * Runs {@code decision} unless the incident is being decided already; the future completes once
   * the run or offer is stored (or failed), and until then a lost-decision sweep leaves the
   * incident alone.
   */
  private Future<Void> whileDeciding(IncidentId id, Supplier<Future<?>> decision) {
    if (!deciding.add(id)) {
      return Future.succeededFuture();
    }
    Promise<Void> made = Promise.promise();
    decision.get().onComplete(ar -> made.handle(ar.mapEmpty()));
    return made.future().onComplete(v -> loop.run(() -> deciding.remove(id)));
  }

  /** Decides for {@code incident}; its {@code alerts} are read only if a run is started. */
  private Future<?> opened(Incident incident, Supplier<Future<List<Alert>>> alerts) {
    Choice choice = choose(incident);
    if (choice instanceof Choice.Offer o) {
      return offer(incident, o.runbook(), o.why());
    }
    if (!(choice instanceof Choice.Start s)) {
      return Future.succeededFuture();
    }
    Runbook rb = s.runbook();
    return alerts
        .get()
        .compose(as -> loop.call(() -> starter.create(rb, incident, as, s.mode(), "auto")))
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
}
