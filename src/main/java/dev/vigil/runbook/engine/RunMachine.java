package dev.vigil.runbook.engine;

import dev.vigil.config.Durations;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.Secrets;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.Step;
import dev.vigil.runbook.action.RenderedAction;
import dev.vigil.runbook.action.StepOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One run's state transitions, and nothing else: the run's state and an event go in, the commands
 * that carry the event out come back ({@link #on}). It does no I/O and reads no clock (the instant
 * comes with each event); the engine stores each transition it asks for before the effect that
 * depends on it, by handing the write's {@code then} event back only once the write committed.
 *
 * <p>Rules kept here: a step starts once everything it needs has finished (succeeded, or failed
 * with {@code onFailure: continue}), else it is skipped; a false {@code when} skips it; a failed
 * try is retried while {@code retry.attempts} allow, after a jittered backoff; a pause ({@code
 * wait}, {@code approval}) parks the step until it wakes or is decided; cancel and the run timeout
 * cancel every unfinished step and end the run; a run succeeds when no step failed, timed out or
 * was cancelled. A dry run renders what it can and performs nothing.
 *
 * <p>Not thread-safe: the engine calls it from its event loop only.
 */
public final class RunMachine {
  private final RunRecord record;
  private final Runbook runbook;
  private final Secrets secrets;
  private final StepDispatch kinds;
  private final boolean dry;
  private final Map<String, StepRun> steps = new LinkedHashMap<>();
  // steps whose last transition is being stored: advance leaves them alone meanwhile
  private final Set<String> writing = new HashSet<>();
  // tries whose start is being stored, with what to perform once it is
  private final Map<String, Prepared> prepared = new HashMap<>();
  // how a paused step ends when it wakes, as its try said (after a restart: by its kind)
  private final Map<String, StepOutcome.Suspend> wakeRules = new HashMap<>();
  private RunStatus status;
  private Instant startedAt;
  private Instant deadline;
  private boolean ending;

  private record Prepared(RenderedAction action, Map<String, Object> bindings) {}

  /** The machine of a run as stored: new (pending), or read back to resume. */
  RunMachine(RunRecord record, Runbook runbook, Secrets secrets, StepDispatch kinds) {
    this.record = record;
    this.runbook = runbook;
    this.secrets = secrets;
    this.kinds = kinds;
    this.dry = record.mode() == Rollout.Mode.DRY_RUN;
    this.status = record.status();
    this.startedAt = record.startedAt();
    this.deadline = record.deadline();
    record.steps().forEach(s -> steps.put(s.id(), s));
  }

  public RunStatus status() {
    return status;
  }

  /** When the run started running; null while it is pending. */
  public Instant startedAt() {
    return startedAt;
  }

  /** Every step's state, in the runbook's file order. */
  public Map<String, StepRun> steps() {
    return Collections.unmodifiableMap(steps);
  }

  /**
   * True while try {@code attempt} of the step is the one running (not timed out, cancelled or
   * replaced).
   */
  public boolean current(String step, int attempt) {
    StepRun st = steps.get(step);
    return !status.finished()
        && st != null
        && st.status() == StepStatus.RUNNING
        && st.attempts() == attempt;
  }

  /** Applies {@code event}, which happens at {@code now}; the commands that carry it out. */
  public List<RunCommand> on(RunEvent event, Instant now) {
    List<RunCommand> out = new ArrayList<>();
    if (event instanceof RunEvent.Start && status == RunStatus.PENDING && !ending) {
      status = RunStatus.RUNNING;
      startedAt = now;
      deadline = now.plus(runbook.timeout());
      out.add(
          new RunCommand.SaveRun(status, now, null, deadline, null, new RunEvent.StartStored()));
    } else if (event instanceof RunEvent.Admitted a && status == RunStatus.PENDING) {
      startedAt = a.startedAt(); // the store wrote the start: the run's end keeps its times
      deadline = a.deadline();
      if (!ending) {
        status = RunStatus.RUNNING;
        started(now, out);
      }
    } else if (event instanceof RunEvent.Resume) {
      resume(now, out);
    } else if (event instanceof RunEvent.Fail f) {
      finish(RunStatus.FAILED, f.error(), now, out);
    } else if (event instanceof RunEvent.Outcome o) {
      if (current(o.step(), o.attempt())) {
        outcome(step(o.step()), o.attempt(), o.outcome(), o.jitter(), now, out);
      }
    } else if (event instanceof RunEvent.TryTimedOut t) {
      int n = t.attempt();
      if (current(t.step(), n)) {
        Step s = step(t.step());
        String after = Durations.format(kinds.tryTimeout(s).orElseThrow());
        String error =
            String.format(
                Locale.ROOT, "%s step %s timed out after %s (try %d)", s.kind(), s.id(), after, n);
        outcome(s, t.attempt(), StepOutcome.timedOut(error, Map.of()), t.jitter(), now, out);
      }
    } else if (event instanceof RunEvent.Wake w) {
      wake(step(w.step()), now, out);
    } else if (event instanceof RunEvent.Decision d) {
      decision(d, now, out);
    } else if (event instanceof RunEvent.Cancel c) {
      endEarly(RunStatus.CANCELLED, "cancelled by " + c.by(), now, out);
    } else if (event instanceof RunEvent.TimedOut) {
      String why = "run timed out after " + Durations.format(runbook.timeout());
      endEarly(RunStatus.TIMED_OUT, why, now, out);
    } else if (event instanceof RunEvent.StartStored) {
      started(now, out);
    } else if (event instanceof RunEvent.TryStored t) {
      writing.remove(t.step());
      Prepared p = prepared.remove(t.step());
      if (p != null && !ending && current(t.step(), t.attempt())) {
        Step s = step(t.step());
        Optional<Duration> timeout = kinds.tryTimeout(s);
        out.add(
            new RunCommand.Perform(
                s,
                t.attempt(),
                p.action(),
                p.bindings(),
                timeout,
                timeout.map(now::plus).orElse(null)));
      }
    } else if (event instanceof RunEvent.PauseStored p) {
      StepRun st = steps.get(p.step());
      if (p.wakeAt() != null && !status.finished() && p.wakeAt().equals(st.wakeAt())) {
        out.add(new RunCommand.ArmWake(p.step(), p.wakeAt()));
      }
    } else if (event instanceof RunEvent.StepStored s) {
      writing.remove(s.step());
      advance(now, out);
    } else if (event instanceof RunEvent.CancelsStored c) {
      finish(c.status(), c.why(), now, out);
    } else if (event instanceof RunEvent.EndStored e) {
      out.add(new RunCommand.Finished(e.status(), e.error()));
    }
    return out;
  }

  // ------------------------------------------------------------------ starting and moving on

  private void started(Instant now, List<RunCommand> out) {
    if (deadline != null) {
      out.add(new RunCommand.ArmRunTimeout(deadline));
    }
    advance(now, out);
  }

  /**
   * A run read back from the store: a step that was running runs again as a new try (at-least-once)
   * unless it says {@code onResume: fail}; retries and pauses wait only for what is left.
   */
  private void resume(Instant now, List<RunCommand> out) {
    if (status != RunStatus.RUNNING && status != RunStatus.WAITING) {
      return;
    }
    List<StepRun> failed = new ArrayList<>();
    for (Step s : runbook.steps()) {
      StepRun st = steps.get(s.id());
      if (st.status() == StepStatus.RUNNING) {
        if (s.onResume() == Step.ResumePolicy.FAIL) {
          StepRun f =
              st.ended(
                  StepStatus.FAILED,
                  now,
                  st.output(),
                  "interrupted by a restart of Vigil while running (onResume: fail)");
          steps.put(s.id(), f);
          failed.add(f);
        } else {
          out.add(
              new RunCommand.Log(
                  s.id(),
                  null,
                  "step " + s.id() + " was running when Vigil stopped; running it again"));
          steps.put(s.id(), st.with(StepStatus.PENDING));
        }
      } else if ((st.status() == StepStatus.PENDING || st.status() == StepStatus.WAITING)
          && st.wakeAt() != null) {
        out.add(new RunCommand.ArmWake(s.id(), st.wakeAt()));
      }
    }
    if (failed.isEmpty()) {
      started(now, out);
    } else {
      out.add(new RunCommand.SaveSteps(failed, new RunEvent.StartStored()));
    }
  }

  /** Starts every step whose needs are all finished; ends the run when every step is. */
  private void advance(Instant now, List<RunCommand> out) {
    if (status.finished() || status == RunStatus.PENDING || ending) {
      return;
    }
    boolean allDone = true;
    for (Step s : runbook.stepsInOrder()) {
      StepRun st = steps.get(s.id());
      if (!st.status().finished()) {
        allDone = false;
      }
      if (st.status() != StepStatus.PENDING || st.wakeAt() != null || writing.contains(s.id())) {
        continue;
      }
      boolean ready = true;
      String blocked = null;
      for (String need : s.needs()) {
        StepRun n = steps.get(need);
        if (!n.status().finished()) {
          ready = false;
          break;
        }
        boolean ok =
            n.status() == StepStatus.SUCCEEDED
                || step(need).onFailure() == Step.FailurePolicy.CONTINUE;
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
        skip(s, blocked, now, out);
        continue;
      }
      // a dry run has no step results: templates and conditions that read them stay undecided
      Map<String, Object> b = RunBindings.of(record, steps, dry ? null : secrets, kinds);
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
            skip(s, "when " + s.when().get().source() + " is false", now, out);
            continue;
          }
        } catch (EvalException e) {
          if (!dry) {
            endStep(s, StepStatus.FAILED, Map.of(), "when: " + e.getMessage(), now, out);
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
      startTry(s, b, whenNote, now, out);
    }
    if (allDone) {
      // onFailure: continue lets dependants run; it does not turn the failure into a success
      Optional<StepRun> failed =
          steps.values().stream().filter(x -> x.status().failure()).findFirst();
      finish(
          failed.isPresent() ? RunStatus.FAILED : RunStatus.SUCCEEDED,
          failed.map(x -> x.id() + ": " + x.error()).orElse(null),
          now,
          out);
    }
  }

  private void skip(Step s, String why, Instant now, List<RunCommand> out) {
    StepRun skipped = steps.get(s.id()).skipped(now, why);
    steps.put(s.id(), skipped);
    writing.add(s.id());
    out.add(new RunCommand.SaveSteps(List.of(skipped), new RunEvent.StepStored(s.id())));
  }

  // ------------------------------------------------------------------ one try of one step

  private void startTry(
      Step s, Map<String, Object> b, String whenNote, Instant now, List<RunCommand> out) {
    StepRun st = steps.get(s.id());
    int number = st.attempts() + 1;
    RenderedAction action;
    if (dry) {
      action = s.spec().preview(b);
    } else {
      try {
        action = s.spec().render(b);
      } catch (EvalException e) {
        steps.put(s.id(), st.running(number, now, null));
        endStep(
            s, StepStatus.FAILED, Map.of(), "cannot render the step: " + e.getMessage(), now, out);
        return;
      }
    }
    String rendered = secrets.redact(action.summary()) + (whenNote == null ? "" : whenNote);
    StepRun running = st.running(number, now, rendered);
    steps.put(s.id(), running);
    if (dry) {
      endStep(s, StepStatus.SUCCEEDED, Map.of(), null, now, out);
      return;
    }
    writing.add(s.id());
    prepared.put(s.id(), new Prepared(action, b));
    out.add(new RunCommand.SaveSteps(List.of(running), new RunEvent.TryStored(s.id(), number)));
  }

  private void outcome(
      Step s, int number, StepOutcome raw, double jitter, Instant now, List<RunCommand> out) {
    StepOutcome o = RunBindings.redact(raw, secrets);
    if (o instanceof StepOutcome.Done d) {
      out.add(new RunCommand.CancelTry(s.id())); // releases the per-try timer
      endStep(s, StepStatus.SUCCEEDED, d.output(), null, now, out);
    } else if (o instanceof StepOutcome.Failed f) {
      out.add(new RunCommand.CancelTry(s.id()));
      if (number < s.retry().attempts()) {
        Duration base = s.retry().delayAfter(number);
        // equal jitter: half the delay fixed, half random, so delays still grow with each try
        long ms = base.toMillis() / 2 + (long) (jitter * (base.toMillis() - base.toMillis() / 2));
        Instant wake = now.plus(Duration.ofMillis(Math.max(1, ms)));
        StepRun retrying = steps.get(s.id()).retrying(wake, f.error(), f.output());
        steps.put(s.id(), retrying);
        out.add(
            new RunCommand.Log(
                s.id(),
                number,
                "step "
                    + s.id()
                    + " try "
                    + number
                    + " failed ("
                    + f.error()
                    + "); retrying in "
                    + ms
                    + " ms"));
        out.add(
            new RunCommand.SaveSteps(List.of(retrying), new RunEvent.PauseStored(s.id(), wake)));
      } else {
        StepStatus end = f.timedOut() ? StepStatus.TIMED_OUT : StepStatus.FAILED;
        endStep(s, end, f.output(), f.error(), now, out);
      }
    } else if (o instanceof StepOutcome.Suspend p) {
      // a paused step's try is kept: the run's end still cancels it
      StepRun waiting = steps.get(s.id()).waiting(p.wakeAt());
      steps.put(s.id(), waiting);
      wakeRules.put(s.id(), p);
      out.add(
          new RunCommand.SaveSteps(List.of(waiting), new RunEvent.PauseStored(s.id(), p.wakeAt())));
    }
  }

  private void wake(Step s, Instant now, List<RunCommand> out) {
    if (status.finished() || ending) {
      return;
    }
    StepRun st = steps.get(s.id());
    if (st.status() == StepStatus.PENDING && st.wakeAt() != null) {
      steps.put(s.id(), st.awake());
      advance(now, out);
    } else if (st.status() == StepStatus.WAITING) {
      out.add(new RunCommand.DropTry(s.id()));
      StepOutcome.Suspend rule = wakeRules.getOrDefault(s.id(), kinds.wakeRule(s));
      if (rule.failOnWake()) {
        endStep(s, StepStatus.TIMED_OUT, st.output(), rule.wakeError(), now, out);
      } else {
        endStep(s, StepStatus.SUCCEEDED, Map.of(), null, now, out);
      }
    }
  }

  private void decision(RunEvent.Decision d, Instant now, List<RunCommand> out) {
    StepRun st = steps.get(d.step());
    if (status.finished()
        || ending
        || st == null
        || !kinds.awaitsDecision(st.kind())
        || st.status() != StepStatus.WAITING) {
      return;
    }
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("decision", d.approve() ? "approved" : "rejected");
    output.put("by", d.by());
    output.put("at", now.toString());
    out.add(new RunCommand.CancelWake(d.step()));
    endStep(
        step(d.step()),
        d.approve() ? StepStatus.SUCCEEDED : StepStatus.FAILED,
        output,
        d.approve() ? null : "rejected by " + d.by(),
        now,
        out);
  }

  /** Ends a step: stored first, then its result is visible to dependants and they may start. */
  private void endStep(
      Step s,
      StepStatus end,
      Map<String, Object> output,
      String error,
      Instant now,
      List<RunCommand> out) {
    StepRun ended = steps.get(s.id()).ended(end, now, output, error);
    steps.put(s.id(), ended);
    wakeRules.remove(s.id());
    writing.add(s.id());
    out.add(new RunCommand.StepEnded(s.id(), end, error));
    if (end != StepStatus.SUCCEEDED) {
      out.add(new RunCommand.Log(s.id(), null, "step " + s.id() + " " + end.wire() + ": " + error));
    }
    out.add(new RunCommand.SaveSteps(List.of(ended), new RunEvent.StepStored(s.id())));
  }

  // ------------------------------------------------------------------ the end of a run

  /**
   * Cancels every unfinished step (tries in flight are told to stop), stores them, then ends the
   * run with {@code end}.
   */
  private void endEarly(RunStatus end, String why, Instant now, List<RunCommand> out) {
    if (status.finished() || ending) {
      return;
    }
    ending = true;
    List<StepRun> cancelled = new ArrayList<>();
    for (StepRun st : List.copyOf(steps.values())) {
      if (!st.status().finished()) {
        out.add(new RunCommand.CancelTry(st.id()));
        out.add(new RunCommand.CancelWake(st.id()));
        StepRun c = st.ended(StepStatus.CANCELLED, now, st.output(), why);
        steps.put(st.id(), c);
        cancelled.add(c);
      }
    }
    if (cancelled.isEmpty()) {
      finish(end, why, now, out);
    } else {
      out.add(new RunCommand.SaveSteps(cancelled, new RunEvent.CancelsStored(end, why)));
    }
  }

  private void finish(RunStatus end, String error, Instant now, List<RunCommand> out) {
    if (status.finished()) {
      return;
    }
    status = end;
    out.add(new RunCommand.Halt(end, error));
    out.add(
        new RunCommand.SaveRun(
            end, startedAt, now, deadline, error, new RunEvent.EndStored(end, error)));
  }

  // ------------------------------------------------------------------ small parts

  private Step step(String id) {
    return runbook.step(id).orElseThrow(() -> new IllegalArgumentException("no step " + id));
  }
}
