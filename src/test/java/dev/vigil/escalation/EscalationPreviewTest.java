package dev.vigil.escalation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Interpolator;
import dev.vigil.config.Problems;
import dev.vigil.config.Yaml;
import dev.vigil.incident.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EscalationPreviewTest {
  static TeamsFile teams(String yaml) {
    Problems problems = new Problems();
    TeamsFile t =
        TeamsReader.parse(
            Yaml.parse(
                    yaml.getBytes(StandardCharsets.UTF_8),
                    "teams.yaml",
                    problems,
                    Interpolator.of(Map.of(), Path.of(".")))
                .orElseThrow());
    assertThat(problems.sorted()).isEmpty();
    return t;
  }

  @Test
  void skippedLevelsCostNoTimeAndSayWhy() {
    TeamsFile t =
        teams(
            """
        teams:
          - id: us
            coverage: [{ from: "21:00", to: "05:00" }]
            slack: { channel: "#ops-us" }
          - id: eu
            coverage: [{ from: "05:00", to: "13:00" }]
        escalation:
          policies:
            default:
              - { notify: active, ackTimeout: 5m }
              - { notify: next, ackTimeout: 10m }
              - { notify: "team:us", ackTimeout: 15m }
        """);
    List<String> lines =
        EscalationPreview.of(t, Severity.CRITICAL, Instant.parse("2026-11-30T14:00:00Z"), List.of())
            .stream()
            .map(
                s ->
                    s.level()
                        + " "
                        + s.at()
                        + " "
                        + (s.skipped() != null
                            ? "skipped: " + s.skipped()
                            : s.teams() + " " + s.channels()))
            .toList();
    // at 14:00 nobody covers and there is no fallback; next is us at 21:00
    assertThat(lines)
        .containsExactly(
            "level 1 2026-11-30T14:00:00Z skipped: nobody is on call",
            "level 2 2026-11-30T14:00:00Z [us] [slack]",
            "level 3 2026-11-30T14:10:00Z [us] [slack]");
    assertThat(
            EscalationPreview.of(
                    t, Severity.CRITICAL, Instant.parse("2026-11-30T06:00:00Z"), List.of())
                .get(0)
                .skipped())
        .isEqualTo("no channel configured for team eu");
  }
}
