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
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.Optional;

/**
 * What every part of a daemon runs on: Vert.x on the network transport {@code server.transport}
 * names, with its metrics in the Prometheus registry the daemon serves and, when tracing is on, a
 * server span for every request.
 *
 * @param transport the transport in use: {@code epoll} or {@code nio}
 */
public record VertxRuntime(
    Vertx vertx, PrometheusMeterRegistry metrics, Tracing tracing, String transport) {

  /**
   * Builds the registry, the tracing and Vert.x. Fails with {@link IllegalArgumentException} when
   * an {@code OTEL_*} value is invalid, or when the transport {@code server.transport} names cannot
   * run here (the message says which, and why).
   */
  public static VertxRuntime create(VigilConfig config, Optional<SpanExporter> spans) {
    Transport transport = transport(config.server().transport()); // first: nothing to undo yet
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
    var builder =
        Vertx.builder().withTransport(transport).withMetrics(new MicrometerMetricsFactory(metrics));
    if (tracing.enabled()) {
      // server spans for every request; WebClient calls made inside one continue its trace
      options.setTracingOptions(new OpenTelemetryOptions());
      builder.withTracer(new OpenTelemetryTracingFactory(tracing.openTelemetry()));
    }
    Backstop.prepare(); // before Vert.x starts: it sizes each context's locals then
    Vertx vertx = builder.with(options).build();
    Backstop.install(vertx);
    return new VertxRuntime(vertx, metrics, tracing, transport.name());
  }

  /**
   * The transport {@code name} asks for ({@code server.transport}). {@code auto} takes epoll where
   * its library loads (Linux on x86-64), which costs a little less CPU per small request (ADR
   * 0152), else NIO (anywhere). {@code epoll} named outright must load, or the daemon does not
   * start.
   */
  static Transport transport(String name) {
    return switch (name) {
      case "auto" -> runs(Transport.EPOLL) ? Transport.EPOLL : Transport.NIO;
      case "epoll" -> available(name, Transport.EPOLL);
      case "nio" -> Transport.NIO;
      default ->
          throw new IllegalArgumentException(
              "server.transport: \""
                  + name
                  + "\" is not one of "
                  + String.join(", ", VigilConfig.Server.TRANSPORTS));
    };
  }

  /**
   * Whether {@code transport} works here: Vert.x has none at all where Netty's classes are absent.
   */
  static boolean runs(Transport transport) {
    return transport != null && transport.available();
  }

  /** {@code transport} ({@code name}) if it works here; else why not, for the operator. */
  static Transport available(String name, Transport transport) {
    if (!runs(transport)) {
      Throwable why = transport == null ? null : transport.unavailabilityCause();
      throw new IllegalArgumentException(
          "server.transport: "
              + name
              + " cannot run here ("
              + (why == null ? "no library for " + System.getProperty("os.name") : why.toString())
              + "); use auto or nio",
          why);
    }
    return transport;
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
