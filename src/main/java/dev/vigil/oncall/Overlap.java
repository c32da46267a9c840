package dev.vigil.oncall;

/** What happens where two teams' windows cover the same instant. */
public enum Overlap {
  /** The team listed first in teams.yaml is on call. */
  FIRST,
  /** Every covering team is on call, in the order listed. */
  ALL;

  public String wire() {
    return name().toLowerCase();
  }
}
