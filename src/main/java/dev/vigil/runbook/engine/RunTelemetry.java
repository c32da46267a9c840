package dev.vigil.runbook.engine;

import dev.vigil.runbook.Step;
import dev.vigil.telemetry.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * What runs show of themselves: a span per run in its incident's trace and per step below it, step
 * durations, finished runs by outcome, and log lines keyed by run, runbook and incident.
 */
final class RunTelemetry {
  private final Tracing tracing;
  private final MeterRegistry meters;

  RunTelemetry(Tracing tracing, MeterRegistry meters) {
    this.tracing = tracing;
    this.meters = meters;
  }

  /** The run's span; a resumed run gets a new one (the old one ended with its process). */
  void opened(LiveRun r, boolean resumed) {
    r.span =
        tracing
            .start("vigil.runbook.run", r.record.incident())
            .setAttribute("runbook", r.runbook.name())
            .setAttribute("runbook.version", r.runbook.version())
            .setAttribute("run.id", r.id.toString())
            .setAttribute("run.mode", r.record.mode().wire())
            .setAttribute("run.resumed", resumed);
  }

  /** A try starts: the step's span (made at its first try); its trace headers. */
  Map<String, String> tryStarted(LiveRun r, Step s, int attempt) {
    Span span =
        r.stepSpans.computeIfAbsent(
            s.id(),
            k ->
                tracing
                    .child("vigil.runbook.step", r.span, r.record.incident())
                    .setAttribute("runbook", r.runbook.name())
                    .setAttribute("run.id", r.id.toString())
                    .setAttribute("step.id", s.id())
                    .setAttribute("step.kind", s.kind()));
    span.addEvent("try " + attempt);
    r.stepStarted.putIfAbsent(s.id(), System.nanoTime());
    return tracing.headers(span);
  }

  /** A step ended: its span ends, its duration from the first try is recorded. */
  void stepEnded(LiveRun r, RunCommand.StepEnded e) {
    Span span = r.stepSpans.remove(e.step());
    if (span != null) {
      Tracing.end(span, e.status().wire(), e.error());
    }
    Long started = r.stepStarted.remove(e.step());
    if (started != null) {
      String kind = r.machine.steps().get(e.step()).kind();
      Timer.builder("vigil.runbook.step.duration")
          .description("Runbook step durations, from the first try to the end")
          .tags("runbook", r.runbook.name(), "step", e.step(), "kind", kind)
          .register(meters)
          .record(Duration.ofNanos(System.nanoTime() - started));
    }
  }

  /** The run ends: open step spans end cancelled, the run's span ends, the run is counted. */
  void halted(LiveRun r, RunCommand.Halt h) {
    String outcome = r.dryRun() ? "dry-run" : h.status().wire();
    r.stepSpans.values().forEach(sp -> Tracing.end(sp, "cancelled", null));
    r.stepSpans.clear();
    Tracing.end(r.span, outcome, h.error());
    Counter.builder("vigil.runbook.runs")
        .description("Finished runbook runs by outcome (dry runs as dry-run)")
        .tags("runbook", r.runbook.name(), "outcome", outcome)
        .register(meters)
        .increment();
  }

  /** A line the run's machine asked for. */
  static void log(Logger log, LiveRun r, RunCommand.Log l) {
    LoggingEventBuilder b = log(log, r);
    b = l.step() == null ? b : b.addKeyValue("step", l.step());
    (l.attempt() == null ? b : b.addKeyValue("attempt", l.attempt())).log(l.text());
  }

  /** An info line about the run, with its trace id. */
  static LoggingEventBuilder log(Logger log, LiveRun r) {
    return Tracing.withTraceId(
        log.atInfo()
            .addKeyValue("run", r.id.toString())
            .addKeyValue("runbook", r.runbook.name())
            .addKeyValue("incident", r.record.incident().toString()),
        r.span);
  }
}
