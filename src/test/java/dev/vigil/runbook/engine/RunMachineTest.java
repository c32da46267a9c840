package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Problems;
import dev.vigil.expr.Secrets;
import dev.vigil.incident.IncidentId;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.action.StepOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The run state machine alone: events in, commands out, at instants the test chooses. No daemon,
 * store, Vert.x or HTTP: the test plays the engine, commits each write the machine asks for (or
 * holds it back) and answers each try.
 */
class RunMachineTest {
  static final Instant T0 = Instant.parse("2026-11-29T06:00:00Z");
  static final StepDispatch KINDS = new StepDispatch(StepKinds.standard());

  Instant now = T0;
  RunMachine m;

  // ------------------------------------------------------------------ the scenarios

  @Test
  void aLinearRunStoresEachTransitionBeforeItsEffectAndSucceeds() {
    start(
        """
        steps:
          - {id: a, http: {url: "http://svc/a"}}
          - {id: b, needs: [a], http: {url: "http://svc/b"}}
        onSuccess: resolve
        """);
    List<RunCommand> first = m.on(new RunEvent.Start(), now);
    // the start is a write, and nothing else happens until it is stored
    assertThat(first).singleElement().isInstanceOf(RunCommand.SaveRun.class);
    assertThat(((RunCommand.SaveRun) first.get(0)).status()).isEqualTo(RunStatus.RUNNING);

    List<RunCommand> afterStart = commit(first);
    assertThat(afterStart)
        .contains(new RunCommand.ArmRunTimeout(T0.plus(Runbook.DEFAULT_TIMEOUT)))
        .noneMatch(c -> c instanceof RunCommand.Perform);
    assertThat(saved(afterStart))
        .extracting(StepRun::id, StepRun::status)
        .containsExactly(Tuple.tuple("a", StepStatus.RUNNING));

    // the try is performed once its start is stored
    assertThat(performs(commit(afterStart))).extracting(p -> p.step().id()).containsExactly("a");
    List<RunCommand> b = settle(answer("a", 1, done()));
    assertThat(performs(b)).extracting(p -> p.step().id()).containsExactly("b");
    assertThat(m.steps().get("a").status()).isEqualTo(StepStatus.SUCCEEDED);

    List<RunCommand> end = settle(answer("b", 1, done()));
    assertThat(end).contains(new RunCommand.Finished(RunStatus.SUCCEEDED, null));
    assertThat(m.status()).isEqualTo(RunStatus.SUCCEEDED);
    // the run's end is stored before anything follows from it
    assertThat(end.indexOf(new RunCommand.Finished(RunStatus.SUCCEEDED, null)))
        .isGreaterThan(indexOf(end, RunCommand.SaveRun.class));
  }

  @Test
  void aDiamondRunsBothBranchesAfterTheirNeedAndJoinsOnceAfterBoth() {
    start(
        """
        steps:
          - {id: a, http: {url: "http://svc/a"}}
          - {id: b, needs: [a], http: {url: "http://svc/b"}}
          - {id: c, needs: [a], http: {url: "http://svc/c"}}
          - id: d
            needs: [b, c]
            http: {url: "http://svc/d?b=${{ steps.b.status }}&c=${{ steps.c.status }}"}
        """);
    assertThat(performs(settle(m.on(new RunEvent.Start(), now))))
        .extracting(p -> p.step().id())
        .containsExactly("a");
    assertThat(performs(settle(answer("a", 1, done()))))
        .extracting(p -> p.step().id())
        .containsExactly("b", "c");
    // one branch done: d still waits for the other
    assertThat(performs(settle(answer("c", 1, done())))).isEmpty();
    assertThat(m.steps().get("d").status()).isEqualTo(StepStatus.PENDING);
    List<RunCommand.Perform> d = performs(settle(answer("b", 1, done())));
    assertThat(d).extracting(p -> p.step().id()).containsExactly("d");
    assertThat(d.get(0).action().summary()).contains("b=succeeded&c=succeeded");
    assertThat(settle(answer("d", 1, done())))
        .contains(new RunCommand.Finished(RunStatus.SUCCEEDED, null));
  }

  @Test
  void aFailingStepIsRetriedWithBackoffThenFailsTheRunAndSkipsWhatNeedsIt() {
    start(
        """
        steps:
          - id: a
            http: {url: "http://svc/a"}
            retry: {attempts: 3, backoff: 10s, maxBackoff: 1m}
          - {id: b, needs: [a], http: {url: "http://svc/b"}}
          - {id: c, http: {url: "http://svc/c"}}
        """);
    assertThat(performs(settle(m.on(new RunEvent.Start(), now))))
        .extracting(p -> p.step().id())
        .containsExactly("a", "c");
    settle(answer("c", 1, done()));

    // try 1 fails: with no jitter half the 10s backoff, stored as a pending wake-up, then armed
    List<RunCommand> retry = m.on(outcome("a", 1, failed("503"), 0.0), now);
    assertThat(saved(retry))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.status()).isEqualTo(StepStatus.PENDING);
              assertThat(s.wakeAt()).isEqualTo(T0.plusSeconds(5));
              assertThat(s.error()).isEqualTo("503");
            });
    assertThat(retry).noneMatch(c -> c instanceof RunCommand.ArmWake);
    assertThat(commit(retry)).containsExactly(new RunCommand.ArmWake("a", T0.plusSeconds(5)));

    now = T0.plusSeconds(5);
    assertThat(performs(settle(m.on(new RunEvent.Wake("a"), now))))
        .singleElement()
        .satisfies(p -> assertThat(p.attempt()).isEqualTo(2));
    // try 2 fails: full jitter doubles the fixed half of 20s
    assertThat(settle(m.on(outcome("a", 2, failed("503"), 0.999999), now)))
        .contains(new RunCommand.ArmWake("a", now.plusMillis(19_999)));
    now = now.plusMillis(19_999);
    settle(m.on(new RunEvent.Wake("a"), now));

    List<RunCommand> end = settle(answer("a", 3, failed("still 503")));
    assertThat(m.steps().get("a").status()).isEqualTo(StepStatus.FAILED);
    assertThat(m.steps().get("a").attempts()).isEqualTo(3);
    assertThat(m.steps().get("b").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(m.steps().get("b").error()).isEqualTo("needs a, which failed");
    assertThat(m.steps().get("c").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(end).contains(new RunCommand.Finished(RunStatus.FAILED, "a: still 503"));
  }

  @Test
  void aFalseWhenSkipsTheStepAndItsDependants() {
    start(
        """
        steps:
          - {id: off, when: "${{ alert.labels.instance == 'nope' }}", http: {url: "http://svc/off"}}
          - {id: after, needs: [off], http: {url: "http://svc/after"}}
          - {id: on, when: "${{ alert.labels.instance == 'host-1' }}", http: {url: "http://svc/on"}}
        """);
    List<RunCommand> all = settle(m.on(new RunEvent.Start(), now));
    assertThat(performs(all)).extracting(p -> p.step().id()).containsExactly("on");
    assertThat(m.steps().get("off").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(m.steps().get("off").error())
        .isEqualTo("when alert.labels.instance == 'nope' is false");
    assertThat(m.steps().get("after").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(m.steps().get("after").error()).isEqualTo("needs off, which was skipped");
    // skipped steps are not failures
    assertThat(settle(answer("on", 1, done())))
        .contains(new RunCommand.Finished(RunStatus.SUCCEEDED, null));
  }

  @Test
  void aWaitParksTheStepDurablyAndResumesAfterARestartForWhatIsLeft() {
    start(
        """
        steps:
          - {id: nap, wait: 10m}
          - {id: after, needs: [nap], http: {url: "http://svc/after"}}
        """);
    settle(m.on(new RunEvent.Start(), now));
    List<RunCommand> park =
        m.on(outcome("nap", 1, suspend(T0.plus(Duration.ofMinutes(10))), 0), now);
    assertThat(saved(park))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.status()).isEqualTo(StepStatus.WAITING);
              assertThat(s.wakeAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
            });
    assertThat(commit(park))
        .containsExactly(new RunCommand.ArmWake("nap", T0.plus(Duration.ofMinutes(10))));

    // the process stops 4 minutes in; a new machine from the stored state waits the 6 left
    now = T0.plus(Duration.ofMinutes(4));
    m = new RunMachine(stored(RunStatus.RUNNING), runbook, Secrets.NONE, KINDS);
    List<RunCommand> resumed = settle(m.on(new RunEvent.Resume(), now));
    assertThat(resumed)
        .contains(new RunCommand.ArmWake("nap", T0.plus(Duration.ofMinutes(10))))
        .noneMatch(c -> c instanceof RunCommand.Perform);

    now = T0.plus(Duration.ofMinutes(10));
    assertThat(performs(settle(m.on(new RunEvent.Wake("nap"), now))))
        .extracting(p -> p.step().id())
        .containsExactly("after");
    assertThat(m.steps().get("nap").status()).isEqualTo(StepStatus.SUCCEEDED);
  }

  @Test
  void anApprovalWaitsForADecisionAndTimesOutWithoutOne() {
    start(
        """
        steps:
          - {id: ask, approval: {text: "go?", timeout: 1h}}
          - {id: go, needs: [ask], http: {url: "http://svc/go"}}
        """);
    settle(m.on(new RunEvent.Start(), now));
    Instant deadline = T0.plus(Duration.ofHours(1));
    assertThat(
            settle(
                m.on(
                    outcome("ask", 1, new StepOutcome.Suspend(deadline, true, "no decision"), 0),
                    now)))
        .contains(new RunCommand.ArmWake("ask", deadline));
    assertThat(m.steps().get("ask").status()).isEqualTo(StepStatus.WAITING);

    now = T0.plus(Duration.ofMinutes(3));
    List<RunCommand> approved = settle(m.on(new RunEvent.Decision("ask", true, "alice"), now));
    assertThat(approved).contains(new RunCommand.CancelWake("ask"));
    assertThat(performs(approved)).extracting(p -> p.step().id()).containsExactly("go");
    assertThat(m.steps().get("ask").output())
        .containsEntry("decision", "approved")
        .containsEntry("by", "alice")
        .containsEntry("at", now.toString());

    // the same approval unanswered, in a second run: its wake-up fails it and skips "go"
    start(
        """
        steps:
          - {id: ask, approval: {text: "go?", timeout: 1h}}
          - {id: go, needs: [ask], http: {url: "http://svc/go"}}
        """);
    settle(m.on(new RunEvent.Start(), now));
    settle(
        m.on(
            outcome("ask", 1, new StepOutcome.Suspend(deadline, true, "no decision within 1h"), 0),
            now));
    now = deadline;
    List<RunCommand> timedOut = settle(m.on(new RunEvent.Wake("ask"), now));
    assertThat(m.steps().get("ask").status()).isEqualTo(StepStatus.TIMED_OUT);
    assertThat(m.steps().get("go").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(timedOut)
        .contains(new RunCommand.Finished(RunStatus.FAILED, "ask: no decision within 1h"));
  }

  @Test
  void cancelStopsTheTriesInFlightStoresEveryUnfinishedStepCancelledThenEndsTheRun() {
    start(
        """
        steps:
          - {id: a, http: {url: "http://svc/a"}}
          - {id: b, needs: [a], http: {url: "http://svc/b"}}
        """);
    settle(m.on(new RunEvent.Start(), now));
    List<RunCommand> cancel = m.on(new RunEvent.Cancel("alice"), now);
    assertThat(cancel).contains(new RunCommand.CancelTry("a"));
    assertThat(saved(cancel))
        .extracting(StepRun::id, StepRun::status, StepRun::error)
        .containsExactly(
            Tuple.tuple("a", StepStatus.CANCELLED, "cancelled by alice"),
            Tuple.tuple("b", StepStatus.CANCELLED, "cancelled by alice"));
    // the run ends only once the cancelled steps are stored
    assertThat(cancel).noneMatch(c -> c instanceof RunCommand.SaveRun);
    List<RunCommand> end = settle(cancel);
    assertThat(end).contains(new RunCommand.Halt(RunStatus.CANCELLED, "cancelled by alice"));
    assertThat(end).contains(new RunCommand.Finished(RunStatus.CANCELLED, "cancelled by alice"));
    // the try's late answer and a second cancel change nothing
    assertThat(m.on(outcome("a", 1, done(), 0), now)).isEmpty();
    assertThat(m.on(new RunEvent.Cancel("bob"), now)).isEmpty();
    assertThat(m.status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void theRunTimeoutCancelsWhatIsUnfinishedAndEndsTheRunTimedOut() {
    start(
        """
        timeout: 5m
        steps:
          - {id: a, http: {url: "http://svc/a"}}
          - {id: nap, wait: 1h}
        """);
    List<RunCommand> started = settle(m.on(new RunEvent.Start(), now));
    assertThat(started).contains(new RunCommand.ArmRunTimeout(T0.plus(Duration.ofMinutes(5))));
    settle(answer("a", 1, done()));
    settle(m.on(outcome("nap", 1, suspend(T0.plus(Duration.ofHours(1))), 0), now));

    now = T0.plus(Duration.ofMinutes(5));
    List<RunCommand> end = settle(m.on(new RunEvent.TimedOut(), now));
    assertThat(m.steps().get("a").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(m.steps().get("nap").status()).isEqualTo(StepStatus.CANCELLED);
    assertThat(end)
        .contains(new RunCommand.CancelWake("nap"))
        .contains(new RunCommand.Finished(RunStatus.TIMED_OUT, "run timed out after 5m"));
    // the wait's timer, had it fired anyway, does nothing
    assertThat(m.on(new RunEvent.Wake("nap"), now)).isEmpty();
  }

  @Test
  void aPerTryTimeoutFailsTheTryAtTheInstantTheMachineGaveIt() {
    start(
        """
        steps:
          - {id: a, timeout: 30s, http: {url: "http://svc/a"}}
        """);
    RunCommand.Perform p = performs(settle(m.on(new RunEvent.Start(), now))).get(0);
    assertThat(p.timeout()).contains(Duration.ofSeconds(30));
    assertThat(p.timesOutAt()).isEqualTo(T0.plusSeconds(30));
    now = T0.plusSeconds(30);
    List<RunCommand> end = settle(m.on(new RunEvent.TryTimedOut("a", 1, 0), now));
    assertThat(m.steps().get("a").status()).isEqualTo(StepStatus.TIMED_OUT);
    assertThat(end)
        .contains(new RunCommand.CancelTry("a"))
        .contains(
            new RunCommand.Finished(
                RunStatus.FAILED, "a: http step a timed out after 30s (try 1)"));
  }

  // ------------------------------------------------------------------ playing the engine

  private Runbook runbook;

  /** A new pending run of this runbook (name and match added), for incident 1. */
  private void start(String body) {
    String yaml = "name: t\nmatch: ['alertname = \"t\"']\n" + body;
    Problems problems = new Problems();
    Optional<Runbook> rb =
        new RunbookReader(List.of(), List.of())
            .parse(yaml.getBytes(StandardCharsets.UTF_8), Path.of("t.yaml"), "t.yaml", problems);
    assertThat(problems.hasErrors()).as(problems.toString()).isFalse();
    runbook = rb.orElseThrow();
    m =
        new RunMachine(
            record(runbook, RunStatus.PENDING, null, null, initialSteps()),
            runbook,
            Secrets.NONE,
            KINDS);
  }

  private List<StepRun> initialSteps() {
    return runbook.stepsInOrder().stream().map(s -> StepRun.pending(s.id(), s.kind())).toList();
  }

  /** The run as the store would hold it now: every step as the machine last asked to save it. */
  private RunRecord stored(RunStatus status) {
    return record(runbook, status, T0, T0.plus(runbook.timeout()), List.copyOf(m.steps().values()));
  }

  private static RunRecord record(
      Runbook rb, RunStatus status, Instant startedAt, Instant deadline, List<StepRun> steps) {
    Map<String, Object> alert =
        Map.of(
            "labels", Map.of("alertname", "t", "instance", "host-1"),
            "annotations", Map.of(),
            "status", "firing",
            "startsAt", "",
            "fingerprint", "");
    return new RunRecord(
        new RunId(1),
        new IncidentId(1),
        rb.name(),
        rb.version(),
        "t.yaml",
        rb.source(),
        Rollout.Mode.AUTO,
        status,
        null,
        Map.of("alert", alert, "alerts", List.of(alert), "vars", Map.of()),
        T0,
        startedAt,
        null,
        deadline,
        null,
        "auto",
        steps);
  }

  /** Commits every write in {@code commands}: the commands handed back, in order. */
  private List<RunCommand> commit(List<RunCommand> commands) {
    List<RunCommand> next = new ArrayList<>();
    for (RunCommand c : commands) {
      if (c instanceof RunCommand.SaveSteps s) {
        next.addAll(m.on(s.then(), now));
      } else if (c instanceof RunCommand.SaveRun s) {
        next.addAll(m.on(s.then(), now));
      }
    }
    return next;
  }

  /**
   * {@code commands}, then every command that follows as each write commits, until none is left.
   */
  private List<RunCommand> settle(List<RunCommand> commands) {
    List<RunCommand> all = new ArrayList<>(commands);
    List<RunCommand> batch = commands;
    while (!batch.isEmpty()) {
      batch = commit(batch);
      all.addAll(batch);
    }
    return all;
  }

  private List<RunCommand> answer(String step, int attempt, StepOutcome o) {
    return m.on(outcome(step, attempt, o, 0.5), now);
  }

  private static RunEvent.Outcome outcome(String step, int attempt, StepOutcome o, double jitter) {
    return new RunEvent.Outcome(step, attempt, o, jitter);
  }

  private static StepOutcome done() {
    return StepOutcome.done(Map.of());
  }

  private static StepOutcome failed(String error) {
    return StepOutcome.failed(error, Map.of());
  }

  private static StepOutcome suspend(Instant wake) {
    return new StepOutcome.Suspend(wake, false, null);
  }

  private static List<StepRun> saved(List<RunCommand> commands) {
    return commands.stream()
        .filter(c -> c instanceof RunCommand.SaveSteps)
        .flatMap(c -> ((RunCommand.SaveSteps) c).steps().stream())
        .toList();
  }

  private static List<RunCommand.Perform> performs(List<RunCommand> commands) {
    return commands.stream()
        .filter(c -> c instanceof RunCommand.Perform)
        .map(c -> (RunCommand.Perform) c)
        .toList();
  }

  private static int indexOf(List<RunCommand> commands, Class<?> type) {
    for (int i = 0; i < commands.size(); i++) {
      if (type.isInstance(commands.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
