package dev.vigil.escalation;

import dev.vigil.oncall.Schedule;

/**
 * Everything config/teams.yaml says: who covers when ({@link Schedule}), whether incoming teams get
 * a handoff digest, and how incidents escalate. Read with {@link TeamsReader}.
 */
public record TeamsFile(Schedule schedule, boolean handoffDigest, EscalationRules escalation) {}
