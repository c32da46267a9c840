package dev.vigil.escalation;

import dev.vigil.incident.Incident;

/**
 * Whether a runbook will try to handle an incident before anyone is paged. Escalation waits for
 * such an incident (unless its severity is in {@code pageDuringRunbook}) and starts when {@link
 * Escalator#runbookFailed} is called. The runbook engine is the gate in the daemon; {@link #NONE}
 * (no runbook handles anything) is for an escalator without one.
 */
@FunctionalInterface
public interface RunbookGate {
  RunbookGate NONE = incident -> false;

  boolean willHandle(Incident incident);
}
