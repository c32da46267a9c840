package dev.vigil.incident;

/** Filters for listing incidents; null means "any". Results are newest first. */
public record IncidentQuery(IncidentStatus status, String team, Severity severity, int limit) {}
