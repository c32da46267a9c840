package dev.vigil.chatops;

import dev.vigil.incident.IncidentId;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.runbook.engine.EngineException;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * {@link RunStarter} and {@link Approvals} on the runbook engine: {@code /vigil run} is a start by
 * hand (always a real run), approve and reject decide the approval step the run waits for. The
 * engine's refusals (unknown runbook or run, a resolved incident, a run that waits for nothing)
 * become {@link Refusal}s so Slack shows them as they are.
 */
public final class EngineRuns implements RunStarter, Approvals {
  private final Engine engine;

  public EngineRuns(Engine engine) {
    this.engine = engine;
  }

  @Override
  public Future<RunSummary> start(String runbook, IncidentId incident, String by) {
    return engine.startByHand(runbook, incident, by).map(EngineRuns::summary).recover(EngineRuns::refusal);
  }

  @Override
  public Future<RunSummary> decide(String run, boolean approve, String by) {
    Optional<RunId> id = RunId.parse(run);
    if (id.isEmpty()) {
      return Future.failedFuture(new Refusal("run " + run + " does not exist (run ids look like RUN-7)"));
    }
    return engine.decide(id.get(), approve, by).map(EngineRuns::summary).recover(EngineRuns::refusal);
  }

  private static RunSummary summary(RunRecord r) {
    return new RunSummary(r.id().toString(), r.runbook(), r.incident().toString(), r.status().wire());
  }

  private static <T> Future<T> refusal(Throwable e) {
    return Future.failedFuture(e instanceof EngineException ? new Refusal(e.getMessage()) : e);
  }
}
