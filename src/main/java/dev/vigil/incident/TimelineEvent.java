package dev.vigil.incident;

import java.time.Instant;

/**
 * One line of an incident's history: what happened, when, and who or what did it.
 *
 * @param kind a short word: opened, alert, alert-resolved, acknowledged, resolved, note, ...
 * @param by who acted: {@code alertmanager}, {@code api:<name>}, {@code slack:U123}, {@code
 *     runbook:<name>}
 */
public record TimelineEvent(Instant at, String kind, String by, String text) {}
