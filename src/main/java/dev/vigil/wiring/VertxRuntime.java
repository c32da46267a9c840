package dev.vigil.wiring;

import dev.vigil.config.VigilConfig;
import dev.vigil.http.Backstop;
import dev.vigil.http.HttpMetricLabels;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.CountedScheduler;
import dev.vigil.timer.Scheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.Optional;

/**
 * What every part of a daemon runs on: Vert.x, with its metrics in the Prometheus registry the
 * daemon serves and, when tracing is on, a server span for every request.
 */
public record VertxRuntime(Vertx vertx, PrometheusMeterRegistry metrics, Tracing tracing) {

  /**
   * Builds the registry, the tracing and Vert.x. Fails with {@link IllegalArgumentException} when
   * an {@code OTEL_*} value is invalid (the message says which).
   */
  public static VertxRuntime create(VigilConfig config, Optional<SpanExporter> spans) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.config().meterFilter(HttpMetricLabels.routes());
    Tracing tracing = Tracing.create(config.telemetry(), spans);
    VertxOptions options =
        new VertxOptions()
            .setMetricsOptions(
                HttpMetricLabels.apply(
                    new MicrometerMetricsOptions()
                        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
                        .setJvmMetricsEnabled(true)
                        .setEnabled(true)));
    var builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics));
    if (tracing.enabled()) {
      // server spans for every request; WebClient calls made inside one continue its trace
      options.setTracingOptions(new OpenTelemetryOptions());
      builder.withTracer(new OpenTelemetryTracingFactory(tracing.openTelemetry()));
    }
    Backstop.prepare(); // before Vert.x starts: it sizes each context's locals then
    Vertx vertx = builder.with(options).build();
    Backstop.install(vertx);
    return new VertxRuntime(vertx, metrics, tracing);
  }

  /** {@code scheduler}, with its pending alarms in {@code vigil_timers_pending{scheduler=name}}. */
  public CountedScheduler timersPending(String name, Scheduler scheduler) {
    CountedScheduler counted = new CountedScheduler(scheduler);
    Gauge.builder("vigil_timers_pending", counted, CountedScheduler::pending)
        .tag("scheduler", name)
        .description(
            "In-memory timers armed and not yet fired: runbook waits, retries and timeouts; incident ack timers, digests, heartbeats")
        .register(metrics);
    return counted;
  }
}
