package dev.vigil.escalation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Interpolator;
import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import dev.vigil.config.Yaml;
import dev.vigil.incident.Severity;
import dev.vigil.oncall.Overlap;
import dev.vigil.oncall.TeamId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TeamsReaderTest {

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of(
            "bad/teams-bad-time.yaml",
            List.of(
                "config/bad/teams-bad-time.yaml:4:30: teams[0].coverage[0].to: \"5:00\" is not a time of day: write HH:MM in 24-hour time,"
                    + " from 00:00 to 23:59 (or 24:00), quoted (\"05:00\")",
                "config/bad/teams-bad-time.yaml:5:17: teams[0].coverage[1].from: \"25:00\" is not a time of day: write HH:MM in 24-hour time,"
                    + " from 00:00 to 23:59, quoted (\"05:00\")")),
        Arguments.of(
            "bad/teams-unknown-zone.yaml",
            List.of(
                "config/bad/teams-unknown-zone.yaml:3:15: teams[0].timezone: unknown time zone \"Europe/Berln\" (did you mean \"Europe/Berlin\"?);"
                    + " use an IANA name such as Europe/Berlin, or UTC",
                "config/bad/teams-unknown-zone.yaml:5:45: teams[0].coverage[0].zone: unknown time zone \"Europe/Berlim\" (did you mean"
                    + " \"Europe/Berlin\"?); use an IANA name such as Europe/Berlin, or UTC")),
        Arguments.of(
            "bad/teams-unknown-team-in-policy.yaml",
            List.of(
                "config/bad/teams-unknown-team-in-policy.yaml:6:15: fallbackTeam: unknown team \"emea\"; teams are us, eu",
                "config/bad/teams-unknown-team-in-policy.yaml:11:19: escalation.policies.default[1].notify: unknown team \"uss\""
                    + " (did you mean \"us\"?); teams are us, eu",
                "config/bad/teams-unknown-team-in-policy.yaml:12:19: escalation.policies.default[2].notify: notify must be active, next or"
                    + " team:<id>, got \"someone\"")),
        Arguments.of(
            "bad/teams-unknown-severity.yaml",
            List.of(
                "config/bad/teams-unknown-severity.yaml:8:17: escalation.bySeverity: unknown key \"critcal\" (did you mean \"critical\"?)",
                "config/bad/teams-unknown-severity.yaml:8:44: escalation.bySeverity.warning: unknown policy \"defualt\" (did you mean"
                    + " \"default\"?); policies are default, or none to record without paging",
                "config/bad/teams-unknown-severity.yaml:9:33: escalation.pageDuringRunbook[1]: \"urgent\" is not one of critical, error,"
                    + " warning, info")),
        Arguments.of(
            "bad/teams-bad-user-group.yaml",
            List.of(
                "config/bad/teams-bad-user-group.yaml:4:45: teams[0].slack.userGroup: \"@eu-oncall\" is not a Slack user group id (they look"
                    + " like S0123ABCD; find it in the group's profile)")),
        Arguments.of(
            "bad/teams-bad-webhook.yaml",
            List.of(
                "config/bad/teams-bad-webhook.yaml:4:21: teams[0].webhook.url: \"ftp://hooks.example/vigil\" is not an http:// or https:// URL",
                "config/bad/teams-bad-webhook.yaml:7:60: teams[1].webhook.secret: the webhook secret is 5 characters long; use at least 16"
                    + " (e.g. openssl rand -hex 32), from the environment or a file (\"${env:NAME}\")",
                "config/bad/teams-bad-webhook.yaml:10:14: teams[2].webhook: missing required key \"secret\": every webhook request is signed"
                    + " with it (write \"${env:NAME}\")",
                "config/bad/teams-bad-webhook.yaml:10:21: teams[2].webhook.url: the webhook URL must not carry a user or password; Vigil"
                    + " signs each request with webhook.secret instead",
                "config/bad/teams-bad-webhook.yaml:13:21: teams[3].webhook.url: \"https://hooks.example/a b\" is not a URL: Illegal character"
                    + " in path at index 23",
                "config/bad/teams-bad-webhook.yaml:13:58: teams[3].webhook.secret: environment variable HOOK_SECRET_D is not set (use"
                    + " ${env:HOOK_SECRET_D:-} for an optional value)",
                "config/bad/teams-bad-webhook.yaml:13:82: teams[3].webhook: unknown key \"sekret\" (did you mean \"secret\"?)",
                "config/bad/teams-bad-webhook.yaml:16:14: teams[4].webhook: missing required key \"url\"",
                "config/bad/teams-bad-webhook.yaml:19:21: teams[5].webhook.url: \"https:///vigil\" has no host",
                "config/bad/teams-bad-webhook.yaml:22:21: teams[6].webhook.url: \"https://hooks.example/vigil#eu\" has a fragment (#...),"
                    + " which is never sent; remove it")),
        Arguments.of(
            "bad/teams-bad-shape.yaml",
            List.of(
                "config/bad/teams-bad-shape.yaml:3:58: teams[0].coverage[0].days[1]: \"tues\" is not one of mon, tue, wed, thu, fri, sat, sun"
                    + " (did you mean \"tue\"?)",
                "config/bad/teams-bad-shape.yaml:4:14: teams[0].slack: unknown key \"chanel\" (did you mean \"channel\"?)",
                "config/bad/teams-bad-shape.yaml:5:9: teams[1].id: duplicate team id \"us\" (first at line 2)",
                "config/bad/teams-bad-shape.yaml:6:16: teams[1].coverage[0]: missing required key \"to\"",
                "config/bad/teams-bad-shape.yaml:7:10: overlap: \"most\" is not one of first, all",
                "config/bad/teams-bad-shape.yaml:11:39: escalation.policies.default[0].ackTimeout: duration \"5\" needs a unit, e.g. 5s"
                    + " (units: ms, s, m, h, d)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void everyProblemIsReportedAtItsPlace(String fixture, List<String> expected) {
    Problems problems = new Problems();
    Path file = ConfigFixtures.path(fixture);
    TeamsReader.read(file, ConfigFixtures.label(fixture), ConfigFixtures.noEnv(file), problems);
    assertThat(problems.sorted()).extracting(Problem::toString).containsExactlyElementsOf(expected);
    assertThat(problems.hasErrors()).isTrue();
  }

  @Test
  void readsTheDocumentedExample() {
    Problems problems = new Problems();
    Path file = ConfigFixtures.path("good/teams.yaml");
    TeamsFile t =
        TeamsReader.read(
                file,
                "teams.yaml",
                Interpolator.of(Map.of("PD_KEY_US", "pd-key"), file.getParent()),
                problems)
            .orElseThrow();
    assertThat(problems.sorted()).isEmpty();
    assertThat(t.schedule().teams())
        .extracting(team -> team.id().value())
        .containsExactly("us", "eu", "india", "ph");
    assertThat(t.schedule().overlap()).isEqualTo(Overlap.FIRST);
    assertThat(t.schedule().fallback()).contains(new TeamId("us"));
    assertThat(t.schedule().team(new TeamId("us")).orElseThrow().channels().kinds())
        .containsExactly("pagerduty", "slack");
    assertThat(t.schedule().team(new TeamId("eu")).orElseThrow().timezone())
        .isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(t.handoffDigest()).isTrue();
    EscalationRules e = t.escalation();
    Policy dflt = e.policyFor(Severity.CRITICAL).orElseThrow();
    assertThat(dflt.levels())
        .containsExactly(
            new Level(Target.ACTIVE, Duration.ofMinutes(5)),
            new Level(Target.NEXT, Duration.ofMinutes(10)),
            new Level(new Target.Team(new TeamId("us")), TeamsReader.DEFAULT_ACK_TIMEOUT));
    assertThat(e.policyFor(Severity.WARNING).map(Policy::name)).contains("low");
    assertThat(e.policyFor(Severity.INFO)).isEmpty();
    assertThat(e.repeat()).isEqualTo(1);
    assertThat(e.steps(dflt)).isEqualTo(4);
    assertThat(e.level(dflt, 3).target()).isEqualTo(new Target.Team(new TeamId("us")));
    assertThat(e.pagesDuringRunbook(Severity.CRITICAL)).isTrue();
    assertThat(e.pagesDuringRunbook(Severity.ERROR)).isFalse();
  }

  @Test
  void aTeamsWebhookIsReadWithItsSecretFromTheEnvironmentAndIsAChannel() {
    Problems problems = new Problems();
    String yaml =
        """
        teams:
          - id: us
            coverage: [{ from: "00:00", to: "00:00" }]
            webhook: { url: "https://hooks.example/vigil?team=us", secret: "${env:US_HOOK_SECRET}" }
          - id: eu
            coverage: [{ from: "00:00", to: "00:00" }]
            webhook: { url: "${env:EU_HOOK_URL:-}", secret: "${env:EU_HOOK_SECRET:-}" }
        """;
    TeamsFile t =
        TeamsReader.parse(
            Yaml.parse(
                    yaml.getBytes(StandardCharsets.UTF_8),
                    "teams.yaml",
                    problems,
                    Interpolator.of(Map.of("US_HOOK_SECRET", "0123456789abcdef0123"), Path.of(".")))
                .orElseThrow());
    assertThat(problems.sorted()).isEmpty();
    var us = t.schedule().team(new TeamId("us")).orElseThrow().channels();
    assertThat(us.kinds()).containsExactly("webhook");
    assertThat(us.webhook().url()).isEqualTo("https://hooks.example/vigil?team=us");
    assertThat(us.webhook().secret().reveal()).isEqualTo("0123456789abcdef0123");
    assertThat(us.toString()).doesNotContain("0123456789abcdef0123");
    assertThat(t.schedule().team(new TeamId("eu")).orElseThrow().channels().kinds())
        .as("an unset optional url: no webhook")
        .isEmpty();
  }

  @Test
  void aWebhookWhoseOptionalSecretIsUnsetIsAnError() {
    Problems problems = new Problems();
    String yaml =
        """
        teams:
          - id: us
            coverage: [{ from: "00:00", to: "00:00" }]
            webhook: { url: "https://hooks.example/vigil", secret: "${env:US_HOOK_SECRET:-}" }
        """;
    TeamsFile t =
        TeamsReader.parse(
            Yaml.parse(
                    yaml.getBytes(StandardCharsets.UTF_8),
                    "teams.yaml",
                    problems,
                    Interpolator.of(Map.of(), Path.of(".")))
                .orElseThrow());
    assertThat(problems.sorted())
        .extracting(Problem::toString)
        .containsExactly(
            "teams.yaml:4:60: teams[0].webhook.secret: the webhook secret is 0 characters long; use at least 16 (e.g. openssl rand -hex 32),"
                + " from the environment or a file (\"${env:NAME}\")");
    assertThat(t.schedule().team(new TeamId("us")).orElseThrow().channels().kinds()).isEmpty();
  }

  @Test
  void aMissingRoutingKeyVariableMeansNoPagerDuty() {
    Problems problems = new Problems();
    Path file = ConfigFixtures.path("good/teams.yaml");
    TeamsFile t =
        TeamsReader.read(file, "teams.yaml", ConfigFixtures.noEnv(file), problems).orElseThrow();
    assertThat(problems.sorted()).isEmpty();
    assertThat(t.schedule().team(new TeamId("us")).orElseThrow().channels().kinds())
        .containsExactly("slack");
    assertThat(t.escalation().policyFor(Severity.ERROR).map(Policy::name))
        .isEqualTo(Optional.of("default"));
  }

  @Test
  void severitiesThatWouldPageNobodyAreAWarning() {
    Problems problems = new Problems();
    String yaml =
        """
        teams:
          - id: us
            coverage: [{ from: "00:00", to: "00:00" }]
        escalation:
          policies:
            main: [{ notify: active }]
          bySeverity: { critical: main, info: none }
        """;
    TeamsFile t =
        TeamsReader.parse(
            Yaml.parse(yaml.getBytes(StandardCharsets.UTF_8), "teams.yaml", problems, null)
                .orElseThrow());
    assertThat(problems.sorted())
        .extracting(Problem::toString)
        .containsExactly(
            "teams.yaml:5:3: warning: escalation: severities error, warning are not in bySeverity and there is no policy named default:"
                + " their incidents are recorded only (write e.g. info: none to say so)");
    assertThat(t.escalation().policyFor(Severity.ERROR)).isEmpty();
    assertThat(t.escalation().policyFor(Severity.CRITICAL).map(Policy::name)).contains("main");
  }
}
