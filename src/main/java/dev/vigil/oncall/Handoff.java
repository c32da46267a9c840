package dev.vigil.oncall;

import java.time.Instant;

/** The next moment a team that is not on call now comes on call. */
public record Handoff(TeamId team, Instant at) {}
