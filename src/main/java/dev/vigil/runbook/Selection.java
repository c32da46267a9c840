package dev.vigil.runbook;

/** The runbook chosen for an incident and the mode it runs in for that incident. */
public record Selection(Runbook runbook, Rollout.Mode mode) {}
