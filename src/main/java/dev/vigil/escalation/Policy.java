package dev.vigil.escalation;

import java.util.List;

/** A named escalation policy: levels paged in order until someone acknowledges. Never empty. */
public record Policy(String name, List<Level> levels) {
  public Policy {
    levels = List.copyOf(levels);
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("policy " + name + " has no levels");
    }
  }
}
