package dev.vigil.runbook.engine;

import java.time.Instant;
import java.util.Map;

/**
 * One step of one run as stored: every transition is a new value, written before it takes effect.
 *
 * @param attempts tries started so far
 * @param wakeAt when a pending step's retry, a wait or an approval's timeout falls due; else null
 * @param output the kind's output fields (empty until the step produced any)
 * @param rendered what the step did or, in a dry run, would have done
 */
public record StepRun(
    String id,
    String kind,
    StepStatus status,
    int attempts,
    Instant startedAt,
    Instant endedAt,
    Instant wakeAt,
    Map<String, Object> output,
    String error,
    String rendered) {

  public static StepRun pending(String id, String kind) {
    return new StepRun(id, kind, StepStatus.PENDING, 0, null, null, null, Map.of(), null, null);
  }

  StepRun with(StepStatus s) {
    return new StepRun(id, kind, s, attempts, startedAt, endedAt, wakeAt, output, error, rendered);
  }

  StepRun running(int attempt, Instant now, String renderedText) {
    return new StepRun(
        id,
        kind,
        StepStatus.RUNNING,
        attempt,
        startedAt == null ? now : startedAt,
        null,
        null,
        output,
        null,
        renderedText);
  }

  StepRun waiting(Instant wake) {
    return new StepRun(
        id, kind, StepStatus.WAITING, attempts, startedAt, null, wake, output, null, rendered);
  }

  StepRun retrying(Instant wake, String err, Map<String, Object> out) {
    return new StepRun(
        id, kind, StepStatus.PENDING, attempts, startedAt, null, wake, out, err, rendered);
  }

  StepRun ended(StepStatus s, Instant now, Map<String, Object> out, String err) {
    return new StepRun(id, kind, s, attempts, startedAt, now, null, out, err, rendered);
  }

  StepRun skipped(Instant now, String why) {
    return new StepRun(
        id, kind, StepStatus.SKIPPED, attempts, null, now, null, Map.of(), why, null);
  }

  StepRun awake() {
    return new StepRun(
        id, kind, status, attempts, startedAt, endedAt, null, output, error, rendered);
  }
}
