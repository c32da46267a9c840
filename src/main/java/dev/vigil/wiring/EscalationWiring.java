package dev.vigil.wiring;

import dev.vigil.escalation.EscalationStore;
import dev.vigil.escalation.Escalator;
import dev.vigil.escalation.LiveRouting;
import dev.vigil.escalation.RunbookGate;
import dev.vigil.ha.Replica;
import dev.vigil.incident.IncidentStore;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.oncall.Overrides;
import dev.vigil.telemetry.IncidentMeters;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.Scheduler;
import java.time.Clock;

/** The escalator of a daemon, with what happens to the pages it decides. */
public final class EscalationWiring {
  private EscalationWiring() {}

  /**
   * Escalation by the routing in force and the overrides' snapshot. Each page decided is counted
   * ({@code vigil_escalations_total}) and traced, then {@code deliver} wakes the notifier. With
   * replicas, a snooze made by another one is read from the store, not from memory here.
   *
   * @param gate whether the runbook engine will run an incident first (escalation then waits for
   *     it, and starts if the run fails)
   */
  public static Escalator escalator(
      EscalationStore store,
      IncidentStore incidents,
      LiveRouting routing,
      Overrides overrides,
      RunbookGate gate,
      Scheduler scheduler,
      Clock clock,
      Replica replica,
      IncidentMeters meters,
      Tracing tracing,
      Runnable deliver) {
    Escalator escalator =
        new Escalator(
            store,
            incidents,
            routing::teams,
            overrides::snapshot,
            gate,
            scheduler,
            clock,
            pages -> {
              for (NotificationIntent n : pages) {
                if (n.kind() == NotificationIntent.Kind.PAGE) {
                  meters.paged(n.level(), n.team());
                  if (n.incident() != null) {
                    tracing.paged(n.incident(), n.level(), n.team());
                  }
                }
              }
              deliver.run();
            });
    escalator.setSharedStore(replica.shared());
    return escalator;
  }
}
