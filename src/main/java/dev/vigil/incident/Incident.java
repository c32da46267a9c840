package dev.vigil.incident;

import java.time.Instant;
import java.util.Map;

/**
 * An incident: the alerts of one Alertmanager group (or one alert posted directly) while they fire.
 *
 * @param team the owning team's id, or null
 * @param labels the labels common to the group when it opened (runbooks match on these)
 * @param acknowledgedAt null until someone acknowledges; likewise resolvedAt
 */
public record Incident(
    IncidentId id,
    IncidentStatus status,
    Severity severity,
    String type,
    String team,
    String title,
    String groupKey,
    Map<String, String> labels,
    int alertCount,
    int firingCount,
    Instant openedAt,
    Instant acknowledgedAt,
    String acknowledgedBy,
    Instant resolvedAt,
    String resolvedBy,
    boolean dropped) {}
