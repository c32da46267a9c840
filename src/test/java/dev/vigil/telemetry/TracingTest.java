package dev.vigil.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.TestDaemon;
import dev.vigil.fake.FakePagerDuty;
import dev.vigil.fake.NotifyConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two alerts, each opening an incident whose runbook calls a local HTTP server: each alert is one
 * trace of Vigil's spans, tagged with the owning team, and the server receives that trace's {@code
 * traceparent}.
 */
class TracingTest {
  @TempDir Path dir;
  final InMemorySpanExporter spans = InMemorySpanExporter.create();

  /** traceparent header received, by the incident id in the path. */
  final Map<String, String> traceparents = new ConcurrentHashMap<>();

  HttpServer server;

  @BeforeEach
  void server() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/probe/",
        ex -> {
          String header = ex.getRequestHeaders().getFirst("traceparent");
          traceparents.put(
              ex.getRequestURI().getPath().substring("/probe/".length()),
              header == null ? "none" : header);
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void eachAlertIsOneTraceCarryingItsTeamAndReachesTheRunbooksHttpCall() throws Exception {
    NotifyConfig.write(dir, NotifyConfig.slack("#ops-eu"), "");
    Files.writeString(
        dir.resolve("runbooks/probe.yaml"),
        """
        name: probe
        match: ['alertname =~ "Probe.*"']
        steps:
          - {id: ask, http: {url: "http://127.0.0.1:%d/probe/${{ incident.id }}"}}
        onSuccess: resolve
        """
            .formatted(server.getAddress().getPort()));
    try (TestDaemon d = TestDaemon.start(dir, "", Map.of(), Clock.systemUTC(), null, spans)) {
      assertThat(
              d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("ProbeA"))
                  .statusCode())
          .isEqualTo(202);
      assertThat(
              d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("ProbeB"))
                  .statusCode())
          .isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).until(() -> resolveSpans() == 2);

      Map<String, Set<String>> tracesPerIncident =
          vigilSpans().stream()
              .collect(
                  Collectors.groupingBy(
                      s -> s.getAttributes().get(AttributeKey.stringKey("incident.id")),
                      Collectors.mapping(SpanData::getTraceId, Collectors.toSet())));
      assertThat(tracesPerIncident).containsOnlyKeys("INC-1", "INC-2");
      assertThat(tracesPerIncident.get("INC-1")).hasSize(1);
      assertThat(tracesPerIncident.get("INC-2"))
          .hasSize(1)
          .doesNotContainAnyElementsOf(tracesPerIncident.get("INC-1"));

      for (String incident : List.of("INC-1", "INC-2")) {
        String trace = tracesPerIncident.get(incident).iterator().next();
        List<SpanData> own =
            vigilSpans().stream().filter(s -> s.getTraceId().equals(trace)).toList();
        assertThat(own)
            .extracting(SpanData::getName)
            .contains(
                "vigil.alert",
                "vigil.incident",
                "vigil.classify",
                "vigil.runbook.run",
                "vigil.runbook.step",
                "vigil.incident.resolve");
        assertThat(own)
            .allSatisfy(
                s ->
                    assertThat(
                            Map.of(
                                "incident.id",
                                attr(s, "incident.id"),
                                "team.id",
                                attr(s, "team.id"),
                                "team.region",
                                attr(s, "team.region"),
                                "team.timezone",
                                attr(s, "team.timezone"),
                                "service.owner",
                                attr(s, "service.owner")))
                        .as(s.getName())
                        .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                "incident.id",
                                incident,
                                "team.id",
                                "eu",
                                "team.region",
                                "emea",
                                "team.timezone",
                                "Europe/Berlin",
                                "service.owner",
                                "eu")));
        // one root: the alert; the step hangs under the run
        assertThat(own.stream().filter(s -> !s.getParentSpanContext().isValid()))
            .extracting(SpanData::getName)
            .containsExactly("vigil.alert");
        SpanData run =
            own.stream()
                .filter(s -> s.getName().equals("vigil.runbook.run"))
                .findFirst()
                .orElseThrow();
        SpanData step =
            own.stream()
                .filter(s -> s.getName().equals("vigil.runbook.step"))
                .findFirst()
                .orElseThrow();
        assertThat(step.getParentSpanId()).isEqualTo(run.getSpanId());
        // the HTTP step carried the trace to the server: 00-<trace id>-<the step's span>-<flags>
        assertThat(traceparents.get(incident))
            .matches("00-" + trace + "-" + step.getSpanId() + "-[0-9a-f]{2}");
      }
      JsonObject inc = new JsonObject(d.get("/api/v1/incidents/INC-1").body());
      assertThat(inc.getString("resolvedBy")).isEqualTo("runbook:probe");
    }
  }

  @Test
  void aPageToPagerDutyCarriesTheIncidentsTrace() throws Exception {
    try (FakePagerDuty pd = new FakePagerDuty()) {
      String vigil = "pagerduty: {eventsUrl: \"" + pd.url() + "\"}\n";
      NotifyConfig.write(dir, NotifyConfig.pagerDuty(NotifyConfig.ROUTING_KEY), vigil);
      try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC(), null, spans)) {
        assertThat(
                d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("CheckoutDown"))
                    .statusCode())
            .isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> pd.accepted("INC-1", "trigger") == 1);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> vigilSpans().stream().anyMatch(s -> s.getName().equals("vigil.notify")));

        SpanData root =
            vigilSpans().stream()
                .filter(s -> s.getName().equals("vigil.alert"))
                .findFirst()
                .orElseThrow();
        SpanData notify =
            vigilSpans().stream()
                .filter(s -> s.getName().equals("vigil.notify"))
                .findFirst()
                .orElseThrow();
        assertThat(notify.getTraceId()).isEqualTo(root.getTraceId());
        assertThat(notify.getParentSpanId()).isEqualTo(root.getSpanId());
        SpanData escalate =
            vigilSpans().stream()
                .filter(s -> s.getName().equals("vigil.escalate"))
                .findFirst()
                .orElseThrow();
        assertThat(escalate.getTraceId()).isEqualTo(root.getTraceId());
        assertThat(escalate.getAttributes().get(AttributeKey.longKey("escalation.level")))
            .isEqualTo(1L);
        assertThat(attr(escalate, "escalation.team")).isEqualTo("eu");
        assertThat(attr(notify, "notify.integration")).isEqualTo("pagerduty");
        assertThat(attr(notify, "team.region")).isEqualTo("emea");
        assertThat(pd.traceparents().get(0))
            .matches("00-" + root.getTraceId() + "-" + notify.getSpanId() + "-[0-9a-f]{2}");
      }
    }
  }

  @Test
  void withAnOtlpEndpointSpansAreSentThereOverHttp() throws Exception {
    // a collector stand-in on loopback: records what is POSTed to /v1/traces
    List<byte[]> posts = new CopyOnWriteArrayList<>();
    server.createContext(
        "/v1/traces",
        ex -> {
          posts.add(ex.getRequestBody().readAllBytes());
          ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    String vigil =
        "telemetry: {otlpEndpoint: \"http://127.0.0.1:"
            + server.getAddress().getPort()
            + "/v1/traces\"}\n";
    NotifyConfig.write(dir, NotifyConfig.slack("#ops-eu"), vigil);
    try (TestDaemon d = TestDaemon.start(dir, vigil, Map.of(), Clock.systemUTC(), null, null)) {
      assertThat(
              d.post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("Exported"))
                  .statusCode())
          .isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  new JsonObject(d.get("/api/v1/incidents/INC-1").body())
                          .getJsonArray("timeline")
                          .size()
                      >= 2);
    } // stopping flushes the batch
    String sent =
        posts.stream()
            .map(b -> new String(b, StandardCharsets.ISO_8859_1))
            .collect(Collectors.joining());
    assertThat(sent).contains("vigil.alert", "INC-1", "team.region", "emea", "Europe/Berlin");
  }

  private long resolveSpans() {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("vigil.incident.resolve"))
        .count();
  }

  /** Vigil's own spans (Vert.x's HTTP server spans carry no incident). */
  private List<SpanData> vigilSpans() {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getAttributes().get(AttributeKey.stringKey("incident.id")) != null)
        .toList();
  }

  private static String attr(SpanData s, String key) {
    String v = s.getAttributes().get(AttributeKey.stringKey(key));
    return v == null ? "missing" : v;
  }
}
