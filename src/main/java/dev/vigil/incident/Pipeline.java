package dev.vigil.incident;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries every committed incident event to the later stages, declared once and in order (see
 * {@code Daemon}). Like Alertmanager's fan-out stage, each stage has its own queue, so a slow one
 * (a store write in escalation) never holds back another; within one stage events keep commit order
 * and a stage gets the next events only once it has finished with the previous ones (those that
 * arrived meanwhile come together, in order).
 *
 * <p>{@link #accept} may be called from any thread; the order of calls is the order stages see. The
 * stores call it right after each commit (SQLite: on its single writer thread), so that order is
 * the commit order. Stages run on the pipeline's context, in the order listed, so a stage listed
 * first that completes at once (telemetry) has seen an event before the stages after it.
 */
public final class Pipeline implements Consumer<List<IncidentEvent>> {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final Context context;
  private final List<Lane> lanes = new ArrayList<>();

  private final class Lane {
    final Stage stage;
    final ConcurrentLinkedQueue<List<IncidentEvent>> queue = new ConcurrentLinkedQueue<>();
    final Counter delivered;
    boolean busy; // on the context only

    Lane(Stage stage, MeterRegistry metrics) {
      this.stage = stage;
      this.delivered =
          Counter.builder("vigil_pipeline_events_total")
              .description("Committed incident events handed to each pipeline stage")
              .tag("stage", stage.name())
              .register(metrics);
    }

    void drain() {
      if (busy || queue.isEmpty()) {
        return;
      }
      List<IncidentEvent> events = new ArrayList<>();
      for (List<IncidentEvent> batch; (batch = queue.poll()) != null; ) {
        events.addAll(batch);
      }
      busy = true;
      delivered.increment(events.size());
      Future<Void> done;
      try {
        done = stage.accept(events);
      } catch (RuntimeException e) {
        done = Future.failedFuture(e);
      }
      done.onComplete(
          ar -> {
            if (ar.failed()) {
              log.atError()
                  .setCause(ar.cause())
                  .addKeyValue("stage", stage.name())
                  .log(
                      "pipeline: stage "
                          + stage.name()
                          + " failed on "
                          + events.size()
                          + " event(s): "
                          + ar.cause().getMessage());
            }
            context.runOnContext(
                v -> {
                  busy = false;
                  drain();
                });
          });
    }
  }

  /**
   * @param stages in the order they see each event
   */
  public Pipeline(Context context, List<Stage> stages, MeterRegistry metrics) {
    this.context = context;
    stages.forEach(s -> lanes.add(new Lane(s, metrics)));
  }

  /**
   * Publishes one commit's events to every stage. Thread-safe; calls are seen in the order they are
   * made.
   */
  @Override
  public void accept(List<IncidentEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    List<IncidentEvent> batch = List.copyOf(events);
    synchronized (this) {
      for (Lane lane : lanes) {
        lane.queue.add(batch);
      }
    }
    context.runOnContext(v -> lanes.forEach(Lane::drain));
  }
}
