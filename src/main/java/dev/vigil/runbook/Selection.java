package dev.vigil.runbook;

/** The runbook chosen for an incident and the mode it runs in for that incident. */
public record Selection(Runbook runbook, Rollout.Mode mode) {

  /**
   * Whether escalation waits for this runbook: it runs on its own (auto) and hands the incident
   * over if it cannot fix it ({@code onFailure: escalate}). A dry run, a manual offer or a runbook
   * that says {@code onFailure: none} leaves escalation to start at once.
   */
  public boolean holdsEscalation() {
    return mode == Rollout.Mode.AUTO && runbook.onFailure() == Runbook.IncidentOutcome.ESCALATE;
  }
}
