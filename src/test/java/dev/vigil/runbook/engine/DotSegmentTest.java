package dev.vigil.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A label inserted into a URL path stays one segment of data: {@code ..} or {@code .} would make
 * {@code …/incidents/${{ label }}/timeline} reach {@code …/timeline}, so such a step fails, naming
 * the expression, and sends nothing. The same value in a query is plain data and is sent.
 */
class DotSegmentTest extends EngineScenario {
  @Test
  void aDotDotLabelInAPathSegmentFailsTheStepAndNothingIsSent() {
    server.ok("/timeline", "{}").ok("/incidents/INC-7/timeline", "{}").ok("/search", "{}");
    f =
        RunbookFixture.start(
            dir,
            "dots",
            rb(
                "dots",
                """
        steps:
          - id: path
            http: {url: "$BASE/incidents/${{ alert.labels.a }}/timeline"}
            onFailure: continue
          - id: query
            http: {url: "$BASE/search?q=${{ alert.labels.a }}"}
        onFailure: none
        """));
    RunId run = f.runOf(f.fire("{\"alertname\": \"dots\", \"a\": \"..\"}"));
    f.awaitStatus(run, RunStatus.FAILED);
    StepRun path = f.step(run, "path");
    assertThat(path.status()).isEqualTo(StepStatus.FAILED);
    assertThat(path.error())
        .isEqualTo(
            "cannot render the step: \"alert.labels.a\" makes the URL path segment \"..\", which would "
                + "send the request to another path; a value inserted into a path may not be \".\" or \"..\"");
    assertThat(f.step(run, "query").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(server.calls()).extracting(LocalServer.Call::path).containsExactly("/search");
    assertThat(server.calls().get(0).query()).isEqualTo("q=..");
  }

  @Test
  void anOrdinaryLabelReachesItsOwnPath() {
    server.ok("/incidents/INC-7/timeline", "{}");
    f =
        RunbookFixture.start(
            dir,
            "dots",
            rb(
                "dots",
                """
        steps:
          - id: path
            http: {url: "$BASE/incidents/${{ alert.labels.a }}/timeline"}
        onFailure: none
        """));
    RunId run = f.runOf(f.fire("{\"alertname\": \"dots\", \"a\": \"INC-7\"}"));
    f.awaitStatus(run, RunStatus.SUCCEEDED);
    assertThat(server.calls())
        .extracting(LocalServer.Call::path)
        .containsExactly("/incidents/INC-7/timeline");
  }
}
