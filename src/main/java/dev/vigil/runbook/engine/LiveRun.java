package dev.vigil.runbook.engine;

import dev.vigil.expr.Secrets;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.action.Attempt;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.Scheduler;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;

/**
 * A run in memory: its {@link RunMachine} plus the handles of what the engine is doing for it
 * (timers, tries in flight, spans). Touched only on the engine's loop.
 */
final class LiveRun {
  final RunId id;
  final RunRecord record;
  final Runbook runbook;
  final RunMachine machine;
  final Map<String, Scheduler.Timer> timers = new HashMap<>();
  final Map<String, Attempt.Cancellation> tries = new HashMap<>();
  final Map<String, Long> stepStarted = new HashMap<>();
  final Map<String, Span> stepSpans = new HashMap<>();
  // completes once the run's end is stored; fails if the run is given up here first
  final Promise<Void> ended = Promise.promise();
  Span span = Span.getInvalid();
  Scheduler.Timer runTimer;
  // admission: the run holds a slot of its concurrency key; the slot was freed; the run was told
  // once that it waits for one
  boolean slot;
  boolean released;
  boolean toldQueued;
  // given up here (its store failed, or another replica holds it): it writes nothing more
  boolean abandoned;
  // its end is stored: it left memory
  boolean done;

  LiveRun(RunRecord record, Runbook runbook, Secrets secrets, StepDispatch kinds) {
    this.id = record.id();
    this.record = record;
    this.runbook = runbook;
    this.machine = new RunMachine(record, runbook, secrets, kinds);
  }

  /** Finished or given up: not the engine's to work on any more. */
  boolean gone() {
    return abandoned || done;
  }

  boolean dryRun() {
    return record.mode() == Rollout.Mode.DRY_RUN;
  }

  void arm(String step, Scheduler.Timer timer) {
    cancelTimer(step);
    timers.put(step, timer);
  }

  /** The step's wake-up timer fired: it is forgotten, and the machine hears of it. */
  RunEvent woken(String step) {
    timers.remove(step);
    return new RunEvent.Wake(step);
  }

  void cancelTimer(String step) {
    Scheduler.Timer t = timers.remove(step);
    if (t != null) {
      t.cancel();
    }
  }

  void cancelTry(String step) {
    Attempt.Cancellation c = tries.remove(step);
    if (c != null) {
      c.cancel();
    }
  }

  /** Drops every timer and tells every try in flight to stop. */
  void stopAll() {
    if (runTimer != null) {
      runTimer.cancel();
    }
    timers.values().forEach(Scheduler.Timer::cancel);
    timers.clear();
    tries.values().forEach(Attempt.Cancellation::cancel);
    tries.clear();
  }

  /** Stops everything where it is (the engine stops, or gives the run up): spans end paused. */
  void pause() {
    stopAll();
    stepSpans.values().forEach(sp -> Tracing.end(sp, "paused", null));
    stepSpans.clear();
    Tracing.end(span, "paused", null);
  }
}
