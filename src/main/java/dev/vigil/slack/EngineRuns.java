package dev.vigil.slack;

import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.Team;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.action.ApprovalStep;
import dev.vigil.runbook.action.StepKind;
import dev.vigil.runbook.action.StepKinds;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.runbook.engine.EngineException;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.StepStatus;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link RunStarter} and {@link Approvals} on the runbook engine: {@code /vigil run} is a start by
 * hand (always a real run), approve and reject decide the approval step the run waits for. The
 * engine's refusals (unknown runbook or run, a resolved incident, a run that waits for nothing)
 * become {@link Refusal}s so Slack shows them as they are.
 */
public final class EngineRuns implements RunStarter, Approvals {
  private final Engine engine;
  private final RunbookRegistry runbooks;
  private final Supplier<List<Team>> onCallNow;

  public EngineRuns(Engine engine, RunbookRegistry runbooks) {
    this(engine, runbooks, List::of);
  }

  /**
   * @param onCallNow the teams on call now (overrides included), for approval steps that name no
   *     approvers
   */
  public EngineRuns(Engine engine, RunbookRegistry runbooks, Supplier<List<Team>> onCallNow) {
    this.engine = engine;
    this.runbooks = runbooks;
    this.onCallNow = onCallNow;
  }

  /**
   * The approvers of the approval step the run waits for, read from the runbook as it serves now
   * (the engine keeps the version a run started with to itself; an approval step's approvers rarely
   * change, and a step that no longer exists or is no longer an approval names nobody). A step that
   * names none is decided by the team on call now: the Slack user group of each team on call that
   * has one ({@code slack.userGroup} in teams.yaml); with none configured, by whoever {@code
   * chatops.allow.approve} admits.
   */
  @Override
  public Future<Optional<StepApprovers>> approvers(String run) {
    Optional<RunId> id = RunId.parse(run);
    if (id.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return engine
        .run(id.get())
        .map(
            found ->
                found.flatMap(
                    r ->
                        r.steps().stream()
                            .filter(
                                s ->
                                    s.status() == StepStatus.WAITING
                                        && StepKinds.standard()
                                            .get(s.kind())
                                            .map(StepKind::awaitsDecision)
                                            .orElse(false))
                            .findFirst()
                            .flatMap(
                                waiting ->
                                    runbooks
                                        .byName(r.runbook())
                                        .flatMap(rb -> rb.step(waiting.id()))
                                        .filter(step -> step.spec() instanceof ApprovalStep.Spec)
                                        .map(
                                            step ->
                                                withTeam(
                                                    new StepApprovers(
                                                        step.id(),
                                                        ((ApprovalStep.Spec) step.spec())
                                                            .approvers()))))));
  }

  private StepApprovers withTeam(StepApprovers named) {
    if (!named.ids().isEmpty()) {
      return named;
    }
    List<Team> teams =
        onCallNow.get().stream().filter(t -> !t.channels().slackUserGroup().isEmpty()).toList();
    return teams.isEmpty()
        ? named
        : new StepApprovers(
            named.step(),
            teams.stream().map(t -> t.channels().slackUserGroup()).toList(),
            "the team on call now: "
                + String.join(", ", teams.stream().map(t -> t.id().toString()).toList()));
  }

  @Override
  public Future<RunSummary> start(String runbook, IncidentId incident, String by) {
    return engine
        .startByHand(runbook, incident, by)
        .map(EngineRuns::summary)
        .recover(EngineRuns::refusal);
  }

  @Override
  public Future<RunSummary> decide(String run, boolean approve, String by) {
    Optional<RunId> id = RunId.parse(run);
    if (id.isEmpty()) {
      return Future.failedFuture(
          new Refusal("run " + run + " does not exist (run ids look like RUN-7)"));
    }
    return engine
        .decide(id.get(), approve, by)
        .map(EngineRuns::summary)
        .recover(EngineRuns::refusal);
  }

  private static RunSummary summary(RunRecord r) {
    return new RunSummary(
        r.id().toString(), r.runbook(), r.incident().toString(), r.status().wire());
  }

  private static <T> Future<T> refusal(Throwable e) {
    return Future.failedFuture(e instanceof EngineException ? new Refusal(e.getMessage()) : e);
  }
}
