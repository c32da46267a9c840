package dev.vigil.ingest;

import dev.vigil.alert.Alert;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentId;
import dev.vigil.web.BadRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The two alert endpoints. Each parses its body, hands the alerts to the {@link GroupCommitter} and
 * answers {@code 202 {"accepted": N, "incidents": [...]}} only once they are committed. Errors are
 * thrown (or failed) as exceptions; the router's failure handler turns them into JSON answers.
 */
public final class IngestHandler {
  private final GroupCommitter committer;
  private final Clock clock;
  private final Counter received;
  private final Counter accepted;
  private final MeterRegistry metrics;
  private final Consumer<List<Alert>> arrived;

  /**
   * @param arrived told of every accepted request's alerts, repeats included (heartbeats are
   *     repeats)
   */
  public IngestHandler(
      GroupCommitter committer, Clock clock, MeterRegistry metrics, Consumer<List<Alert>> arrived) {
    this.committer = committer;
    this.arrived = arrived;
    this.clock = clock;
    this.metrics = metrics;
    this.received =
        Counter.builder("vigil_alerts_received_total")
            .description("Alerts in well-formed requests")
            .register(metrics);
    this.accepted =
        Counter.builder("vigil_alerts_accepted_total")
            .description("Alerts committed to the store (answered 202)")
            .register(metrics);
  }

  /** {@code POST /api/v1/alerts/alertmanager}: an Alertmanager webhook (payload version 4). */
  public void alertmanager(RoutingContext ctx) {
    handle(ctx, AlertParser::webhook);
  }

  /** {@code POST /api/v1/alerts}: a JSON array of alerts, as Alertmanager's own API takes them. */
  public void alerts(RoutingContext ctx) {
    handle(ctx, body -> AlertParser.alertList(body, clock.instant()));
  }

  private void handle(RoutingContext ctx, Function<byte[], List<AlertIntake>> parser) {
    List<AlertIntake> alerts;
    try {
      alerts =
          parser.apply(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    } catch (BadRequest e) {
      rejected("bad_request", 1);
      throw e;
    }
    received.increment(alerts.size());
    committer
        .submit(alerts)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rejected(
                    ar.cause() instanceof Overloaded ? "overloaded" : "store_unavailable",
                    alerts.size());
                ctx.fail(ar.cause());
                return;
              }
              accepted.increment(alerts.size());
              ctx.response()
                  .setStatusCode(202)
                  .putHeader("Content-Type", "application/json")
                  .end(answer(alerts.size(), ar.result()));
              arrived.accept(alerts.stream().map(AlertIntake::alert).toList());
            });
  }

  /**
   * {@code {"accepted":n,"incidents":["INC-1",...]}}, written directly: ids need no escaping, and
   * this answers every request.
   */
  static String answer(int accepted, List<IncidentId> incidents) {
    StringBuilder sb = new StringBuilder(32 + 16 * incidents.size());
    sb.append("{\"accepted\":").append(accepted).append(",\"incidents\":[");
    for (int i = 0; i < incidents.size(); i++) {
      sb.append(i == 0 ? "\"" : ",\"").append(incidents.get(i)).append('"');
    }
    return sb.append("]}").toString();
  }

  /** Counts alerts (or requests, when the alerts could not be read) turned away, by reason. */
  public void rejected(String reason, int count) {
    metrics.counter("vigil_alerts_rejected_total", "reason", reason).increment(count);
  }
}
