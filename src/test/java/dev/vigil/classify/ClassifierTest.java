package dev.vigil.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Problems;
import dev.vigil.escalation.ConfigFixtures;
import dev.vigil.escalation.TeamsReader;
import dev.vigil.incident.Severity;
import dev.vigil.incident.Triage;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.oncall.TeamId;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassifierTest {
  private final List<ScheduleOverride> overrides = new ArrayList<>();
  private final Classifier classifier = classifier();

  private Classifier classifier() {
    Problems problems = new Problems();
    Path c = ConfigFixtures.path("good/classification.yaml");
    Path t = ConfigFixtures.path("good/teams.yaml");
    Classification classification =
        ClassificationReader.read(c, "c", ConfigFixtures.noEnv(c), problems).orElseThrow();
    var teams = TeamsReader.read(t, "t", ConfigFixtures.noEnv(t), problems).orElseThrow();
    assertThat(problems.sorted()).isEmpty();
    return new Classifier(
        classification,
        new Resolver(teams.schedule(), Clock.systemUTC()),
        () -> List.copyOf(overrides));
  }

  @ParameterizedTest(name = "{0} at {1} -> {2} {3} {4} drop={5}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
      alertname=Watchdog                               | 2026-11-30T02:00:00Z | warning  | unknown | us    | true
      alertname=HostDown,severity=critical             | 2026-11-30T06:00:00Z | critical | unknown | eu    | false
      alertname=HostDown,severity=page                 | 2026-11-30T10:00:00Z | critical | unknown | eu    | false
      alertname=NodeFilesystemAlmostOutOfSpace         | 2026-11-30T14:00:00Z | warning  | disk    | india | false
      alertname=NodeFilesystemAlmostOutOfSpace,severity=critical | 2026-11-30T18:00:00Z | critical | unknown | ph | false
      alertname=Slow,severity=error                    | 2026-12-05T18:00:00Z | error    | unknown | us    | false
      alertname=Slow,severity=bogus                    | 2026-11-30T22:00:00Z | warning  | unknown | us    | false
      """)
  void firstRuleWinsThenTheLabelThenTheDefault(
      String labels, String at, String severity, String type, String team, boolean drop) {
    Map<String, String> l = new TreeMap<>();
    for (String kv : labels.split(",")) {
      l.put(kv.split("=")[0], kv.split("=")[1]);
    }
    Triage.Outcome o = classifier.triage(l, Instant.parse(at));
    assertThat(o)
        .isEqualTo(new Triage.Outcome(Severity.parse(severity).orElseThrow(), type, team, drop));
  }

  @Test
  void anOverrideAssignsItsTeam() {
    Instant at = Instant.parse("2026-11-30T06:00:00Z");
    overrides.add(
        new ScheduleOverride(
            1,
            new TeamId("ph"),
            at.minusSeconds(60),
            at.plusSeconds(60),
            "api:x",
            "",
            at.minusSeconds(60)));
    assertThat(classifier.triage(Map.of("alertname", "X"), at).team()).isEqualTo("ph");
  }
}
