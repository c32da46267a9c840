package dev.vigil.escalation;

import java.time.Duration;

/**
 * One rung of a policy: whom to page, and how long to wait for an acknowledgement before the next
 * rung.
 */
public record Level(Target target, Duration ackTimeout) {}
