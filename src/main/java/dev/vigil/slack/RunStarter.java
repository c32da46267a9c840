package dev.vigil.slack;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;

/**
 * Starts a runbook by hand for an incident ({@code /vigil run}, the Run runbook button). The daemon
 * binds it to the runbook engine; a failure whose message a person can act on (unknown runbook,
 * resolved incident) should be a {@link Refusal} so that Slack shows it as it is.
 */
@FunctionalInterface
public interface RunStarter {
  Future<RunSummary> start(String runbook, IncidentId incident, String by);

  /** For a daemon without a runbook engine: every start is refused, saying so. */
  RunStarter NONE =
      (runbook, incident, by) ->
          Future.failedFuture(
              new Refusal(
                  "runbooks cannot be started from Slack: this Vigil has no runbook engine"));
}
