package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil oncall} and the teams/classification part of {@code vigil validate}, as a user runs
 * them.
 */
class OncallCliTest {
  @TempDir Path dir;

  @Test
  void oncallPrintsWhoIsOnAndTheNextHandoff() {
    CliTest.Run r = CliTest.run("oncall", "--at", "2026-11-29T02:00:00Z");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .startsWith(
            """
        2026-11-29T02:00:00Z: us (America/New_York Sat 21:00)
        next handoff: eu (Europe/Berlin Sun 06:00) at 2026-11-29T05:00:00Z (in 3h)
        """);
  }

  @Test
  void oncallSaysWhenTheFallbackAnswersAndSpeaksJson() {
    CliTest.Run r = CliTest.run("oncall", "--at", "2026-12-05T18:00:00Z", "--format", "json");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "{\"at\":\"2026-12-05T18:00:00Z\",\"active\":[\"us\"],\"fallback\":true,\"next\":{\"team\":\"eu\",\"at\":\"2026-12-06T05:00:00Z\"}}\n");
  }

  @Test
  void aBadInstantIsAUsageError() {
    CliTest.Run r = CliTest.run("oncall", "--at", "tomorrow");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("expected an RFC 3339 UTC instant like 2026-11-29T03:00:00Z, got \"tomorrow\"");
  }

  @Test
  void validateReportsTeamsAndClassificationErrorsAtTheirPlace() throws Exception {
    Path vigil = dir.resolve("vigil.yaml");
    Files.writeString(vigil, "store: {url: \"sqlite:vigil.db\"}\n");
    Files.writeString(
        dir.resolve("teams.yaml"),
        """
        teams:
          - id: us
            coverage: [{ from: "00:00", to: "23:59" }]
        escalation:
          policies:
            default: [{ notify: "team:eu" }]
        """);
    Files.writeString(
        dir.resolve("classification.yaml"),
        "rules:\n  - match: [ 'severity =~ \"(\"' ]\n    severity: critical\n");
    CliTest.Run r = CliTest.run("validate", "--config", vigil.toString());
    assertThat(r.code()).isEqualTo(1);
    String classification = dir.resolve("classification.yaml").toString();
    String teams = dir.resolve("teams.yaml").toString();
    assertThat(r.err())
        .isEqualTo(
            classification
                + ":2:28: rules[0].match[0]: bad matcher \"severity =~ \"(\"\": invalid regular expression"
                + " (RE2 syntax, as in Alertmanager): missing closing ) (at character 14)\n"
                + teams
                + ":6:25: escalation.policies.default[0].notify: unknown team \"eu\" (did you mean \"us\"?); teams are us\n"
                + "invalid: 2 errors, 2 warnings\n");
    assertThat(r.out())
        .contains(teams + ":1:1: warning: coverage: no team covers 23:59–00:00 UTC")
        .contains(
            "warning: runbook directory does not exist (runbooks.dir)"); // the other warning: this
    // config names no runbook
    // folder that exists
  }
}
