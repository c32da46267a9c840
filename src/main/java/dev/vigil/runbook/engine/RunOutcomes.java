package dev.vigil.runbook.engine;

import dev.vigil.expr.Secrets;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.action.Escalation;
import io.vertx.core.Future;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run's start and end mean outside the engine: log and timeline lines, and at the end of a
 * real run the runbook's {@code onSuccess: resolve} or {@code onFailure: escalate} (escalation
 * waited for the run, see {@link Engine#willHandle}) and the rollout guard's check.
 */
final class RunOutcomes {
  private static final Logger LOG = LoggerFactory.getLogger(RunOutcomes.class);

  private final IncidentStore incidents;
  private final Escalation escalation;
  private final Secrets secrets;
  private final Clock clock;
  private final RolloutGuard guard;

  RunOutcomes(
      IncidentStore incidents,
      Escalation escalation,
      Secrets secrets,
      Clock clock,
      RolloutGuard guard) {
    this.incidents = incidents;
    this.escalation = escalation;
    this.secrets = secrets;
    this.clock = clock;
    this.guard = guard;
  }

  /** A run was created: a log line, a timeline line. */
  void created(LiveRun r, String by) {
    String what = "run " + r.id + " of runbook " + r.runbook.name();
    RunTelemetry.log(LOG, r).log(
        what
            + " ("
            + r.runbook.version()
            + ", "
            + r.record.mode().wire()
            + ") created for "
            + r.record.incident());
    timeline(r, what + (r.dryRun() ? " (dry run)" : "") + " created by " + by);
  }

  /** A line on the run's incident timeline, secrets masked; never fails. */
  Future<Void> timeline(LiveRun r, String text) {
    return incidents
        .runLine(
            r.record.incident(),
            new TimelineEvent(
                clock.instant(), "runbook", "runbook:" + r.runbook.name(), secrets.redact(text)))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /**
   * The run's end is stored: a log line, a timeline line, then (real runs only) what it means for
   * the incident, and the rollout guard's check.
   */
  void finished(LiveRun r, RunStatus status, String error) {
    String what = " of runbook " + r.runbook.name();
    String end = " " + status.wire() + (error == null ? "" : ": " + error);
    RunTelemetry.log(LOG, r).log("run " + r.id + what + end);
    timeline(r, "run " + r.id + what + (r.dryRun() ? " (dry run)" : "") + end)
        .onComplete(
            x -> {
              if (!r.dryRun()) {
                incidentOutcome(r, status, error);
                guard.check(r.runbook, r.record.incident());
              }
            });
  }

  private void incidentOutcome(LiveRun r, RunStatus status, String error) {
    Runbook rb = r.runbook;
    String by = "runbook:" + rb.name();
    if (status == RunStatus.SUCCEEDED && rb.onSuccess() == Runbook.IncidentOutcome.RESOLVE) {
      incidents
          .resolve(
              r.record.incident(),
              by,
              "runbook " + rb.name() + " succeeded (" + r.id + ")",
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
        && rb.onFailure() == Runbook.IncidentOutcome.ESCALATE) {
      escalation.runFailed(
          r.record.incident(),
          by,
          "runbook "
              + rb.name()
              + " "
              + status.wire()
              + " ("
              + r.id
              + ")"
              + (error == null ? "" : ": " + error));
    } else if (status == RunStatus.SUCCEEDED
        && rb.onFailure() == Runbook.IncidentOutcome.ESCALATE) {
      // escalation waited for this run (willHandle); the run did its part but left the incident
      // open
      escalation.runFailed(
          r.record.incident(),
          by,
          "runbook "
              + rb.name()
              + " succeeded ("
              + r.id
              + ") but does not resolve the incident (onSuccess: none): handing it over to"
              + " people");
    }
  }
}
