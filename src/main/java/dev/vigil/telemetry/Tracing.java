package dev.vigil.telemetry;

import dev.vigil.config.VigilConfig;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One trace per alert that opens an incident: a root span {@code vigil.alert} with children for the
 * incident and its classification, then (as they happen) each runbook run and step, each
 * notification delivery, the acknowledgement and the resolution. Every span carries {@code
 * incident.id}, {@code team.id}, {@code team.region}, {@code team.timezone} and {@code
 * service.owner} ({@code owner} label, else the team). The link from an incident to its trace is
 * kept in memory (the last {@link #REMEMBERED} incidents used): after a restart, later spans of an
 * older incident start a new trace.
 *
 * <p>With no exporter (no {@code telemetry.otlpEndpoint} and no {@code OTEL_TRACES_EXPORTER}),
 * everything here is a no-op. Thread-safe; nothing blocks (the OTLP exporter sends in batches from
 * its own thread).
 */
public final class Tracing {
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);
  static final int REMEMBERED = 10_000;
  static final AttributeKey<String> INCIDENT = AttributeKey.stringKey("incident.id");
  static final AttributeKey<String> TEAM = AttributeKey.stringKey("team.id");
  static final AttributeKey<String> REGION = AttributeKey.stringKey("team.region");
  static final AttributeKey<String> TIMEZONE = AttributeKey.stringKey("team.timezone");
  static final AttributeKey<String> OWNER = AttributeKey.stringKey("service.owner");

  /** Tracing off: spans are no-ops and no headers are sent. */
  public static final Tracing OFF = new Tracing(OpenTelemetry.noop(), null);

  private final OpenTelemetry otel;
  private final SdkTracerProvider provider;
  private final Tracer tracer;

  /** Per incident: the root span's context and the attributes every span of its trace carries. */
  private final Map<IncidentId, Trace> traces =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IncidentId, Trace> eldest) {
          return size() > REMEMBERED;
        }
      };

  private record Trace(Context root, Attributes attributes) {}

  private Tracing(OpenTelemetry otel, SdkTracerProvider provider) {
    this.otel = otel;
    this.provider = provider;
    this.tracer = otel.getTracer("dev.vigil");
  }

  /**
   * Tracing as configured by the OpenTelemetry SDK's autoconfigure module, from the standard {@code
   * OTEL_*} environment variables and {@code otel.*} system properties (endpoint, headers,
   * protocol, service name, resource attributes, sampler, ...). vigil.yaml only gives defaults:
   * {@code service.name=vigil}, no metrics or logs export, and, when {@code telemetry.otlpEndpoint}
   * is set, OTLP/HTTP traces to it. {@code extra} (tests pass an in-memory exporter) gets every
   * span, exported synchronously. With no traces exporter and no {@code extra}, {@link #OFF}.
   *
   * @param environment where {@code OTEL_*} variables are read: {@code System.getenv()} but in
   *     tests
   * @throws IllegalArgumentException when an {@code OTEL_*} value is invalid (the SDK's message
   *     names it)
   */
  public static Tracing create(
      VigilConfig.Telemetry config, Optional<SpanExporter> extra, Map<String, String> environment) {
    Map<String, String> fromEnvironment = otelProperties(environment);
    Map<String, String> defaults =
        defaults(
            config, key -> fromEnvironment.containsKey(key) || System.getProperty(key) != null);
    String exporter =
        fromEnvironment.getOrDefault(
            "otel.traces.exporter",
            System.getProperty("otel.traces.exporter", defaults.get("otel.traces.exporter")));
    boolean disabled =
        Boolean.parseBoolean(
            fromEnvironment.getOrDefault(
                "otel.sdk.disabled", System.getProperty("otel.sdk.disabled", "false")));
    if (disabled || ("none".equals(exporter.trim()) && extra.isEmpty())) {
      return OFF;
    }
    // The exporter's thread asks for the current context, which vertx-opentelemetry's context
    // storage answers
    // from Vert.x; that thread has no context class loader, and Vert.x's classes cannot initialise
    // there
    // (they fail for good, for every later user). Initialise them here first.
    Vertx.currentContext();
    try {
      OpenTelemetrySdk sdk =
          AutoConfiguredOpenTelemetrySdk.builder()
              .disableShutdownHook()
              .addPropertiesSupplier(() -> defaults)
              // the given environment wins over the defaults, as the process environment does in
              // the SDK itself
              .addPropertiesCustomizer(p -> fromEnvironment)
              .addTracerProviderCustomizer(
                  (b, p) ->
                      extra.isPresent()
                          ? b.addSpanProcessor(SimpleSpanProcessor.create(extra.get()))
                          : b)
              .build()
              .getOpenTelemetrySdk();
      log.atInfo().addKeyValue("exporter", exporter).log("tracing: on");
      return new Tracing(sdk, sdk.getSdkTracerProvider());
    } catch (ConfigurationException e) {
      throw new IllegalArgumentException("OpenTelemetry configuration: " + e.getMessage(), e);
    }
  }

  /**
   * The SDK's properties that vigil.yaml sets; an {@code OTEL_*} variable or {@code otel.*}
   * property overrides each. An OTLP endpoint given the SDK's way turns the OTLP exporter on, as it
   * does in the SDK, and a generic one replaces vigil.yaml's traces endpoint rather than losing to
   * it.
   */
  static Map<String, String> defaults(
      VigilConfig.Telemetry config, Predicate<String> givenElsewhere) {
    Map<String, String> d = new HashMap<>();
    d.put("otel.service.name", "vigil");
    d.put("otel.metrics.exporter", "none");
    d.put("otel.logs.exporter", "none");
    d.put("otel.propagators", "tracecontext");
    d.put("otel.exporter.otlp.protocol", "http/protobuf");
    boolean endpointElsewhere =
        givenElsewhere.test("otel.exporter.otlp.endpoint")
            || givenElsewhere.test("otel.exporter.otlp.traces.endpoint");
    if (!config.otlpEndpoint().isEmpty() && !endpointElsewhere) {
      d.put("otel.exporter.otlp.traces.endpoint", config.otlpEndpoint());
    }
    d.put(
        "otel.traces.exporter",
        config.otlpEndpoint().isEmpty() && !endpointElsewhere ? "none" : "otlp");
    return d;
  }

  /**
   * {@code OTEL_EXPORTER_OTLP_ENDPOINT} becomes {@code otel.exporter.otlp.endpoint}, as the SDK
   * reads them.
   */
  static Map<String, String> otelProperties(Map<String, String> environment) {
    Map<String, String> p = new HashMap<>();
    environment.forEach(
        (k, v) -> {
          if (k.startsWith("OTEL_")) {
            p.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    return p;
  }

  public boolean enabled() {
    return provider != null;
  }

  /** As configured, with the {@code OTEL_*} variables of this process. */
  public static Tracing create(VigilConfig.Telemetry config, Optional<SpanExporter> extra) {
    return create(config, extra, System.getenv());
  }

  /** For Vert.x's own HTTP server and client spans. */
  public OpenTelemetry openTelemetry() {
    return otel;
  }

  /**
   * Starts the trace of an incident just opened by an alert: the root {@code vigil.alert} span and
   * its {@code vigil.incident} (grouping) and {@code vigil.classify} children, all ended at once.
   *
   * @param team the owning team, if any
   */
  public void opened(Incident incident, Optional<Team> team) {
    if (!enabled()) {
      return;
    }
    Attributes attrs = attributes(incident, team);
    Span root =
        tracer
            .spanBuilder("vigil.alert")
            .setNoParent()
            .setAllAttributes(attrs)
            .setAttribute("alert.name", incident.labels().getOrDefault("alertname", ""))
            .startSpan();
    Context ctx = Context.root().with(root);
    synchronized (traces) {
      traces.put(incident.id(), new Trace(ctx, attrs));
    }
    tracer
        .spanBuilder("vigil.incident")
        .setParent(ctx)
        .setAllAttributes(attrs)
        .setAttribute("incident.group_key", incident.groupKey())
        .startSpan()
        .end();
    tracer
        .spanBuilder("vigil.classify")
        .setParent(ctx)
        .setAllAttributes(attrs)
        .setAttribute("incident.severity", incident.severity().wire())
        .setAttribute("incident.type", incident.type())
        .startSpan()
        .end();
    root.end();
    var line = log.atInfo().addKeyValue("incident", incident.id().toString());
    if (incident.team() != null) {
      line = line.addKeyValue("team", incident.team());
    }
    withTraceId(line, root).log("tracing: " + incident.id() + " opened a trace");
  }

  private static Attributes attributes(Incident incident, Optional<Team> team) {
    AttributesBuilder a = Attributes.builder().put(INCIDENT, incident.id().toString());
    team.ifPresent(
        t ->
            a.put(TEAM, t.id().value())
                .put(REGION, t.region())
                .put(TIMEZONE, t.timezone().getId()));
    String owner = incident.labels().getOrDefault("owner", incident.team());
    if (owner != null) {
      a.put(OWNER, owner);
    }
    return a.build();
  }

  /**
   * A span of the incident's trace (a new trace if Vigil does not remember it, or if {@code
   * incident} is null: a handoff digest), started now; the caller ends it.
   */
  public Span start(String name, IncidentId incident) {
    if (!enabled()) {
      return Span.getInvalid();
    }
    if (incident == null) {
      return tracer.spanBuilder(name).setNoParent().startSpan();
    }
    Trace t;
    synchronized (traces) {
      t = traces.get(incident);
    }
    var b = tracer.spanBuilder(name);
    if (t == null) {
      b.setNoParent().setAttribute(INCIDENT, incident.toString());
    } else {
      b.setParent(t.root()).setAllAttributes(t.attributes());
    }
    return b.startSpan();
  }

  /** A child of {@code parent} with the same incident and team attributes. */
  public Span child(String name, Span parent, IncidentId incident) {
    if (!enabled()) {
      return Span.getInvalid();
    }
    Trace t;
    synchronized (traces) {
      t = traces.get(incident);
    }
    var b = tracer.spanBuilder(name).setParent(Context.root().with(parent));
    b.setAllAttributes(t == null ? Attributes.of(INCIDENT, incident.toString()) : t.attributes());
    return b.startSpan();
  }

  /**
   * A short span for something that happened to the incident now ({@code
   * vigil.incident.acknowledge}, ...).
   */
  public void event(String name, IncidentId incident, String by) {
    Span s = start(name, incident);
    s.setAttribute("vigil.by", by == null ? "" : by);
    s.end();
  }

  /** A {@code vigil.escalate} span for a page escalation decided: which level, which team. */
  public void paged(IncidentId incident, int level, TeamId team) {
    start("vigil.escalate", incident)
        .setAttribute("escalation.level", level)
        .setAttribute("escalation.team", team.value())
        .end();
  }

  /**
   * Ends {@code span} with Vigil's outcome word; anything but success and {@code ok} marks it an
   * error.
   */
  public static void end(Span span, String outcome, String error) {
    span.setAttribute("vigil.outcome", outcome);
    if (error != null) {
      span.setStatus(StatusCode.ERROR, error);
    }
    span.end();
  }

  /**
   * The W3C {@code traceparent} (and {@code tracestate}) headers that continue {@code span}'s
   * trace; empty when off.
   */
  public Map<String, String> headers(Span span) {
    Map<String, String> h = new HashMap<>();
    if (span.getSpanContext().isValid()) {
      otel.getPropagators().getTextMapPropagator().inject(Context.root().with(span), h, Map::put);
    }
    return h;
  }

  /** {@code line} with the span's {@code trace_id}, if the span has one. */
  public static LoggingEventBuilder withTraceId(LoggingEventBuilder line, Span span) {
    return span.getSpanContext().isValid()
        ? line.addKeyValue("trace_id", span.getSpanContext().getTraceId())
        : line;
  }

  /**
   * Flushes the spans still queued and stops the exporters; completes when done, or after 10 s at
   * most (an exporter that never answers must not hold up the daemon's stop). Completes on a pool
   * thread.
   */
  public CompletableFuture<Void> shutdown() {
    if (provider == null) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(() -> provider.shutdown().join(10, TimeUnit.SECONDS));
  }
}
