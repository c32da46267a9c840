package dev.vigil.escalation;

import dev.vigil.incident.IncidentId;
import java.time.Instant;

/**
 * Where an incident's escalation stands.
 *
 * @param step the last step paged (0-based; steps past the policy's levels repeat its last level);
 *     -1 before the first page
 * @param dueAt when the next step fires unless someone acknowledges (the durable ack timer); null
 *     when nothing is armed
 */
public record EscalationState(
    IncidentId incident, String policy, int step, Status status, Instant dueAt, Instant startedAt) {

  public enum Status {
    /** Paging and waiting for an acknowledgement. */
    ACTIVE,
    /** Acknowledged or resolved: nothing more will be paged on its own. */
    STOPPED,
    /** Every level (and repeat) was paged and nobody acknowledged. */
    EXHAUSTED,
    /**
     * Held by hand ({@code /vigil snooze}): nothing is paged before {@code dueAt}; then, unless
     * someone acknowledged, the next level is paged as if its ack timer had fired. A new alert in
     * the incident ends the snooze at once.
     */
    SNOOZED;

    public String wire() {
      return name().toLowerCase();
    }

    public static Status parse(String s) {
      return valueOf(s.toUpperCase());
    }
  }

  public boolean isArmed() {
    return (status == Status.ACTIVE || status == Status.SNOOZED) && dueAt != null;
  }
}
