package dev.vigil.oncall;

import java.util.Objects;

/** A team's id as written in teams.yaml ({@code eu}, {@code us}); case-sensitive. */
public record TeamId(String value) {
  public TeamId {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return value;
  }
}
