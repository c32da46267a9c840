package dev.vigil.incident;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/**
 * One later step of the alert's flow (telemetry, escalation, runbooks, notification updates), fed
 * by the {@link Pipeline}. It gets committed events in commit order, each once; the next events
 * come only after the future it returned completes, so a stage never reacts to an acknowledgement
 * before it finished reacting to the opening. A failure is logged by the pipeline and does not stop
 * it.
 */
public interface Stage {
  /** A short name for logs and metrics. */
  String name();

  /** Reacts to {@code events} (one or more commits' worth, in commit order). Must not block. */
  Future<Void> accept(List<IncidentEvent> events);

  /** A stage named {@code name} that hands its events to {@code accept}. */
  static Stage of(String name, Function<List<IncidentEvent>, Future<Void>> accept) {
    return new Stage() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Future<Void> accept(List<IncidentEvent> events) {
        return accept.apply(events);
      }
    };
  }
}
