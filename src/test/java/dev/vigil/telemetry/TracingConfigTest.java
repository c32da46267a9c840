package dev.vigil.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.config.VigilConfig;
import dev.vigil.incident.IncidentId;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The standard {@code OTEL_*} variables configure tracing, with vigil.yaml's {@code telemetry.*}
 * keys as defaults: service name, resource attributes, sampler, endpoint and headers reach what is
 * exported.
 */
class TracingConfigTest {
  final InMemorySpanExporter spans = InMemorySpanExporter.create();

  /** Each OTLP request a local collector received: its path and its authorization header. */
  final List<String> received = new CopyOnWriteArrayList<>();

  HttpServer collector;

  @BeforeEach
  void collector() throws Exception {
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          received.add(
              ex.getRequestMethod()
                  + " "
                  + ex.getRequestURI().getPath()
                  + " auth="
                  + ex.getRequestHeaders().getFirst("Authorization")
                  + " type="
                  + ex.getRequestHeaders().getFirst("Content-Type"));
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    collector.start();
  }

  @AfterEach
  void stop() {
    collector.stop(0);
  }

  String base() {
    return "http://127.0.0.1:" + collector.getAddress().getPort();
  }

  static final VigilConfig.Telemetry NO_YAML = new VigilConfig.Telemetry("");

  @Test
  void withNeitherYamlNorVariablesTracingIsOff() {
    assertThat(Tracing.create(NO_YAML, Optional.empty(), Map.of()).enabled()).isFalse();
  }

  @Test
  void serviceNameAndResourceAttributesComeFromTheVariables() {
    Tracing t =
        Tracing.create(
            NO_YAML,
            Optional.of(spans),
            Map.of(
                "OTEL_SERVICE_NAME", "vigil-eu",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,region=eu-west-1"));
    t.event("vigil.incident.acknowledge", IncidentId.parse("INC-1").orElseThrow(), "alice");
    SpanData s = spans.getFinishedSpanItems().get(0);
    assertThat(s.getResource().getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("vigil-eu");
    assertThat(s.getResource().getAttribute(AttributeKey.stringKey("deployment.environment")))
        .isEqualTo("prod");
    assertThat(s.getResource().getAttribute(AttributeKey.stringKey("region")))
        .isEqualTo("eu-west-1");
  }

  @Test
  void theServiceIsCalledVigilUnlessToldOtherwise() {
    Tracing t = Tracing.create(NO_YAML, Optional.of(spans), Map.of());
    t.event("vigil.incident.resolve", IncidentId.parse("INC-1").orElseThrow(), "bob");
    assertThat(
            spans
                .getFinishedSpanItems()
                .get(0)
                .getResource()
                .getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("vigil");
  }

  @Test
  void theSamplerVariableIsObeyed() {
    Tracing t =
        Tracing.create(NO_YAML, Optional.of(spans), Map.of("OTEL_TRACES_SAMPLER", "always_off"));
    t.event("vigil.incident.acknowledge", IncidentId.parse("INC-1").orElseThrow(), "alice");
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void theYamlEndpointIsTheDefaultTracesUrl() {
    Tracing t =
        Tracing.create(
            new VigilConfig.Telemetry(base() + "/custom/traces"),
            Optional.empty(),
            Map.of("OTEL_BSP_SCHEDULE_DELAY", "50"));
    assertThat(t.enabled()).isTrue();
    t.event("vigil.incident.acknowledge", IncidentId.parse("INC-1").orElseThrow(), "alice");
    await().atMost(Duration.ofSeconds(30)).until(() -> !received.isEmpty());
    assertThat(received.get(0))
        .startsWith("POST /custom/traces auth=null type=application/x-protobuf");
    t.shutdown().join();
  }

  @Test
  void theEndpointAndHeadersVariablesTurnExportOnAndWinOverTheYaml() {
    Tracing t =
        Tracing.create(
            new VigilConfig.Telemetry("http://127.0.0.1:9/never"),
            Optional.empty(),
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", base(),
                "OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20abc",
                "OTEL_BSP_SCHEDULE_DELAY", "50"));
    t.event("vigil.incident.acknowledge", IncidentId.parse("INC-1").orElseThrow(), "alice");
    await().atMost(Duration.ofSeconds(30)).until(() -> !received.isEmpty());
    assertThat(received.get(0)).startsWith("POST /v1/traces auth=Bearer abc");
    t.shutdown().join();
  }

  @Test
  void anInvalidVariableIsRefusedWithItsName() {
    assertThatThrownBy(
            () ->
                Tracing.create(
                    NO_YAML, Optional.of(spans), Map.of("OTEL_TRACES_SAMPLER", "sometimes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("OpenTelemetry configuration")
        .hasMessageContaining("sometimes");
  }

  @Test
  void sdkDisabledMeansOff() {
    assertThat(
            Tracing.create(
                    new VigilConfig.Telemetry(base() + "/v1/traces"),
                    Optional.of(spans),
                    Map.of("OTEL_SDK_DISABLED", "true"))
                .enabled())
        .isFalse();
  }
}
