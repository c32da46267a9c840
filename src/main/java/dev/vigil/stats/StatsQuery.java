package dev.vigil.stats;

import dev.vigil.incident.Severity;
import java.time.Instant;

/**
 * Which incidents the statistics cover: those opened at or after {@code since}, owned by {@code
 * team} and of {@code severity} (null: any). Dropped incidents (heartbeats and the like) are never
 * counted.
 */
public record StatsQuery(Instant since, String team, Severity severity) {}
