package dev.vigil.slack;

/**
 * A runbook run as Slack shows it: {@code RUN-7}, its runbook, incident and status ({@code
 * running}, {@code waiting}, ...).
 */
public record RunSummary(String id, String runbook, String incident, String status) {}
