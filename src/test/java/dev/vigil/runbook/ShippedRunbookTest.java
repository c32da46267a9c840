package dev.vigil.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.expr.Bindings;
import dev.vigil.expr.Values;
import dev.vigil.runbook.action.ExecStep;
import dev.vigil.runbook.action.HttpStep;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped runbooks load with the shipped allowlist, and rendering them for a run (not a
 * preview) keeps untrusted labels in their place: one argv element, one URL path segment, one JSON
 * string.
 */
class ShippedRunbookTest {
  static final List<String> SHIPPED_ALLOW =
      List.of("/usr/local/bin/clean-tmp", "/usr/bin/systemctl", "kubectl");

  static RunbookCatalog catalog() {
    Problems p = new Problems();
    RunbookCatalog c =
        RunbookCheck.validate(
            new VigilConfig.Runbooks(Path.of("runbooks"), SHIPPED_ALLOW, List.of()), List.of(), p);
    assertThat(p.sorted()).isEmpty();
    return c;
  }

  @Test
  void allFourLoadWithTheShippedAllowlist() {
    assertThat(catalog().runbooks())
        .extracting(Runbook::name)
        .containsExactly(
            "certificate-expiring", "disk-almost-full", "high-latency", "service-crashed");
  }

  static Map<String, Object> base(Map<String, String> labels) {
    Alert a =
        new Alert(
            "c1b78d5e0e8bac2b",
            labels,
            Map.of(),
            AlertStatus.FIRING,
            Instant.parse("2026-11-29T05:00:00Z"),
            null,
            "");
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("alert", Bindings.alert(a));
    b.put("alerts", Bindings.alerts(List.of(a)));
    b.put(
        "incident",
        Map.of(
            "id",
            "INC-9",
            "severity",
            "error",
            "type",
            "latency",
            "status",
            "triggered",
            "team",
            "eu",
            "title",
            "t"));
    b.put("team", Bindings.team("eu", "EU", "emea"));
    return b;
  }

  static Map<String, Object> withStep(
      Map<String, Object> b, String id, Map<String, Object> output) {
    Map<String, Object> steps =
        new LinkedHashMap<>(b.get("steps") instanceof Map<?, ?> m ? castMap(m) : Map.of());
    steps.put(id, Bindings.stepResult("succeeded", 1, "", output));
    Map<String, Object> out = new LinkedHashMap<>(b);
    out.put("steps", steps);
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "shop; rm -rf /",
        "$(reboot)",
        "a\"b'c",
        "../../admin",
        "x&replicas=999#",
        "line1\nline2",
        "東京 ñ"
      })
  void aScaleRequestKeepsHostileLabelsInTheirPlace(String evil) throws Exception {
    Runbook rb = catalog().byName("high-latency").orElseThrow();
    Map<String, Object> b =
        rb.startBindings(
            base(
                Map.of(
                    "alertname",
                    "HighRequestLatency",
                    "namespace",
                    evil,
                    "deployment",
                    "checkout")));
    b =
        withStep(
            b,
            "latency",
            Bindings.httpResponse(
                200,
                Map.of(),
                "",
                Map.of("data", Map.of("result", List.of(Map.of("value", List.of(1.0, "0.93")))))));
    b = withStep(b, "current", Bindings.httpResponse(200, Map.of(), "", Map.of("replicas", 3L)));
    Step scale = rb.step("scale").orElseThrow();
    assertThat(scale.when().orElseThrow().test(b)).isTrue();

    HttpStep.Call call = (HttpStep.Call) scale.spec().render(b);
    // the namespace is one path segment, whatever it holds
    String path = URI.create(call.url()).getRawPath();
    assertThat(path.split("/")).hasSize(7);
    assertThat(URLDecoder.decode(path.split("/")[3].replace("+", "%2B"), StandardCharsets.UTF_8))
        .isEqualTo(evil);
    // the body is JSON built as a tree: replicas stays a number, the reason one string holding the
    // label as is
    assertThat(call.body()).isInstanceOf(Map.class);
    Map<?, ?> body = (Map<?, ?>) call.body();
    assertThat(body.get("replicas")).isEqualTo(5L);
    assertThat(body.get("reason")).isEqualTo("p99 latency 0.93s on " + evil + "/checkout (INC-9)");
    Map<Object, Object> reparsed = new ObjectMapper().readValue(Values.json(body), Map.class);
    assertThat(reparsed.keySet()).containsExactly((Object) "replicas", "reason");
    assertThat(reparsed.get("reason")).isEqualTo(body.get("reason"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"nginx.service; reboot", "$(id).service", "-rf", "a b.service", "../x.service"})
  void aRestartNeverRunsForAUnitNameThatIsNotOne(String evil) throws Exception {
    Runbook rb = catalog().byName("service-crashed").orElseThrow();
    Map<String, Object> b =
        rb.startBindings(
            base(Map.of("alertname", "SystemdUnitFailed", "instance", "web-3:9100", "name", evil)));
    b = withStep(b, "probe", Map.of("exitCode", 3L, "stdout", "failed", "stderr", ""));
    Step restart = rb.step("restart").orElseThrow();
    assertThat(restart.when().orElseThrow().test(b)).isFalse();
    // and were it run, the value would still be one argv element after "--"
    ExecStep.Command cmd = (ExecStep.Command) restart.spec().render(b);
    assertThat(cmd.argv())
        .containsExactly("/usr/bin/systemctl", "--host", "web-3", "restart", "--", evil);
  }

  @Test
  void aDiskCleanRunsOnlyAboveTheThreshold() throws Exception {
    Runbook rb = catalog().byName("disk-almost-full").orElseThrow();
    Map<String, Object> b =
        rb.startBindings(
            base(
                Map.of(
                    "alertname",
                    "NodeFilesystemAlmostFull",
                    "instance",
                    "db-1:9100",
                    "severity",
                    "warning")));
    Step clean = rb.step("clean").orElseThrow();
    Map<String, Object> full =
        withStep(
            b,
            "usage",
            Bindings.httpResponse(
                200,
                Map.of(),
                "",
                Map.of("data", Map.of("result", List.of(Map.of("value", List.of(1.0, "91.5")))))));
    Map<String, Object> fine =
        withStep(
            b,
            "usage",
            Bindings.httpResponse(
                200,
                Map.of(),
                "",
                Map.of("data", Map.of("result", List.of(Map.of("value", List.of(1.0, "42")))))));
    assertThat(clean.when().orElseThrow().test(full)).isTrue();
    assertThat(clean.when().orElseThrow().test(fine)).isFalse();
    assertThat(((ExecStep.Command) clean.spec().render(full)).argv())
        .containsExactly("/usr/local/bin/clean-tmp", "--host", "db-1", "--older-than", "2d");
    assertThat(b.get("vars"))
        .isEqualTo(Map.of("instance", "db-1:9100", "host", "db-1", "mountpoint", "/"));
  }
}
