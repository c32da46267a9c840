package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.expr.Template;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ${{ secrets.NAME }}} from {@code runbooks.secrets}: the request carries the value, and
 * nothing stored or shown does: the run's API answer (rendered actions, outputs, errors), the
 * incident timeline and the log read {@code ***} instead, in every encoding the value took.
 */
class RunbookSecretsTest extends EngineScenario {
  // '/', '+' and '=' are percent-encoded in a URL: the encoded form must be masked too
  static final String TOKEN = "tok-5ecr3t/+=9f2c";

  @Test
  void aSecretIsSentButRedactedInTheRunsApiAnswerTimelineAndLog() throws Exception {
    server
        .route("/scale", n -> new LocalServer.Reply(200, "{\"echo\": \"" + TOKEN + "\"}"))
        .route("/verify", n -> new LocalServer.Reply(500, "{}"));
    Files.createDirectories(dir.resolve("config"));
    Files.writeString(dir.resolve("config/scaler-token.txt"), TOKEN + "\n");
    String config = "runbooks:\n  secrets:\n    SCALER_TOKEN: \"${file:scaler-token.txt}\"\n";
    try (LogCapture log = new LogCapture(Level.INFO)) {
      f =
          RunbookFixture.start(
              dir,
              config,
              Map.of(
                  "scale",
                  rb(
                      "scale",
                      """
          steps:
            - id: scale
              http:
                method: POST
                url: "$BASE/scale?token=${{ secrets.SCALER_TOKEN }}"
                headers: {Authorization: "Bearer ${{ secrets.SCALER_TOKEN }}"}
                body: {token: "${{ secrets.SCALER_TOKEN }}", replicas: 3}
            - id: verify
              needs: [scale]
              http: {url: "$BASE/verify?token=${{ secrets.SCALER_TOKEN }}"}
          onFailure: none
          """)));
      RunId run = f.runOf(f.fire("{\"alertname\": \"scale\", \"instance\": \"host-1\"}"));
      RunRecord done = f.awaitStatus(run, RunStatus.FAILED);

      LocalServer.Call sent = server.calls().get(0);
      assertThat(URLDecoder.decode(sent.query(), StandardCharsets.UTF_8))
          .isEqualTo("token=" + TOKEN);
      assertThat(new JsonObject(sent.body()).getString("token")).isEqualTo(TOKEN);

      String api = f.d.get("/api/v1/runs/" + run).body();
      JsonObject runJson = new JsonObject(api);
      assertThat(runJson.getJsonArray("steps").getJsonObject(0).getString("action"))
          .isEqualTo(
              "POST "
                  + server.base()
                  + "/scale?token=*** headers {\"Authorization\":\"Bearer ***\"} body {\"token\":\"***\",\"replicas\":3}");
      assertThat(
              runJson
                  .getJsonArray("steps")
                  .getJsonObject(0)
                  .getJsonObject("output")
                  .getString("body"))
          .isEqualTo("{\"echo\": \"***\"}");
      assertThat(runJson.getJsonArray("steps").getJsonObject(1).getString("error"))
          .startsWith("HTTP 500 from GET " + server.base() + "/verify?token=*** ");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  ModesTest.timelineHas(
                      f.incident(done.incident().toString()), "runbook", "verify?token=***"));
      String timeline = f.incident(done.incident().toString()).getJsonArray("timeline").encode();

      for (String form : List.of(TOKEN, Template.percentEncode(TOKEN))) {
        assertThat(api).as("GET /api/v1/runs/{id}").doesNotContain(form);
        assertThat(timeline).as("the timeline").doesNotContain(form);
        assertThat(log.text()).as("the log").doesNotContain(form);
      }
    }
  }
}
