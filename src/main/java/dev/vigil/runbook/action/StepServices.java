package dev.vigil.runbook.action;

import dev.vigil.incident.IncidentStore;
import dev.vigil.timer.Scheduler;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.List;

/**
 * What step kinds perform with: the engine's clock and scheduler (so tests move time by hand), the
 * outbox, the incident store, escalation, the runbook HTTP client and the worker pool programs run
 * on.
 *
 * @param execAllow the programs {@code runbooks.exec.allow} lists; anything else is refused again
 *     when a step runs
 */
public record StepServices(
    Clock clock,
    Scheduler scheduler,
    Notifications notifications,
    IncidentStore incidents,
    Escalation escalation,
    HttpRequests http,
    WorkerExecutor execWorkers,
    List<String> execAllow) {
  public StepServices {
    execAllow = List.copyOf(execAllow);
  }
}
