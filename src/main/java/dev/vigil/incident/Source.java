package dev.vigil.incident;

/**
 * Where a change to an incident was made. A change made in a tool Vigil pages through is not sent
 * back to that tool: PagerDuty already knows of an acknowledgement made in PagerDuty, and an {@code
 * acknowledge} event sent back would only loop.
 */
public enum Source {
  /**
   * Vigil itself: its API, Slack, runbooks, Alertmanager, heartbeats. Every integration hears of
   * it.
   */
  VIGIL,
  /** A PagerDuty webhook: an acknowledgement, resolution or note made in PagerDuty. */
  PAGERDUTY
}
