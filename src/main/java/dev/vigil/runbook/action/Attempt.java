package dev.vigil.runbook.action;

import dev.vigil.incident.IncidentId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One try of one step: what to do (the rendered action), for which run and incident, and a way for
 * the engine to cancel it (a per-try or run timeout). Actions that hold resources (a process, a
 * poll timer) register a canceller with {@link #onCancel}.
 *
 * @param step the step's id
 * @param spec the step as its kind read it
 * @param bindings what expressions may read at this point (check evaluates {@code until} with them)
 * @param timeout the per-try timeout, if the step has one
 * @param traceHeaders W3C trace context ({@code traceparent}) of the step's span, sent on outbound
 *     HTTP; empty when tracing is off
 */
public record Attempt(
    String run,
    String runbook,
    IncidentId incident,
    String step,
    StepSpec spec,
    int number,
    RenderedAction action,
    Map<String, Object> bindings,
    Optional<Duration> timeout,
    Cancellation cancellation,
    Map<String, String> traceHeaders) {

  public void onCancel(Runnable r) {
    cancellation.add(r);
  }

  public boolean cancelled() {
    return cancellation.cancelled();
  }

  /** Cancellers of one try; cancelling runs each once, a canceller added later runs at once. */
  public static final class Cancellation {
    private final List<Runnable> cancellers = new ArrayList<>();
    private boolean cancelled;

    public synchronized void add(Runnable r) {
      if (cancelled) {
        r.run();
        return;
      }
      cancellers.add(r);
    }

    public void cancel() {
      List<Runnable> run;
      synchronized (this) {
        if (cancelled) {
          return;
        }
        cancelled = true;
        run = List.copyOf(cancellers);
        cancellers.clear();
      }
      run.forEach(Runnable::run);
    }

    public synchronized boolean cancelled() {
      return cancelled;
    }
  }
}
