package dev.vigil.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.TeamId;
import dev.vigil.timer.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What each typed command becomes, and the usage error for each way of getting it wrong. */
class CommandParserTest {
  static final Instant NOW = Instant.parse("2026-11-30T06:00:00Z");
  static final IncidentId INC42 = new IncidentId(42);
  final CommandParser parser = new CommandParser(new FakeClock(NOW));

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("", new Command.Help()),
        Arguments.of("help", new Command.Help()),
        Arguments.of("  HELP  ", new Command.Help()),
        Arguments.of("list", new Command.ListOpen()),
        Arguments.of("show INC-42", new Command.Show(INC42)),
        Arguments.of("show inc-42", new Command.Show(INC42)),
        Arguments.of("show 42", new Command.Show(INC42)),
        Arguments.of("ack INC-42", new Command.Ack(INC42)),
        Arguments.of("acknowledge INC-42", new Command.Ack(INC42)),
        Arguments.of("resolve INC-42", new Command.Resolve(INC42, "")),
        Arguments.of(
            "resolve INC-42 disk cleaned,  cron fixed",
            new Command.Resolve(INC42, "disk cleaned, cron fixed")),
        Arguments.of("snooze INC-42 30m", new Command.Snooze(INC42, Duration.ofMinutes(30))),
        Arguments.of("snooze INC-42 1h30m", new Command.Snooze(INC42, Duration.ofMinutes(90))),
        Arguments.of("escalate INC-42", new Command.Escalate(INC42)),
        Arguments.of("oncall", new Command.Oncall(Optional.empty())),
        Arguments.of(
            "oncall 2026-12-01T03:00:00Z",
            new Command.Oncall(Optional.of(Instant.parse("2026-12-01T03:00:00Z")))),
        Arguments.of(
            "oncall 14:00", new Command.Oncall(Optional.of(Instant.parse("2026-11-30T14:00:00Z")))),
        Arguments.of(
            "oncall 05:00", new Command.Oncall(Optional.of(Instant.parse("2026-12-01T05:00:00Z")))),
        Arguments.of(
            "oncall 2h", new Command.Oncall(Optional.of(Instant.parse("2026-11-30T08:00:00Z")))),
        Arguments.of(
            "oncall +90m", new Command.Oncall(Optional.of(Instant.parse("2026-11-30T07:30:00Z")))),
        Arguments.of("run disk-almost-full INC-42", new Command.Run("disk-almost-full", INC42)),
        Arguments.of("approve RUN-7", new Command.Approve("RUN-7")),
        Arguments.of("approve run-7", new Command.Approve("RUN-7")),
        Arguments.of("reject 7", new Command.Reject("RUN-7")),
        Arguments.of(
            "override eu 2h", new Command.OverrideTeam(new TeamId("eu"), Duration.ofHours(2))));
  }

  @ParameterizedTest(name = "/vigil {0}")
  @MethodSource("valid")
  void parses(String text, Command expected) {
    assertThat(parser.parse(text)).isEqualTo(expected);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("frobnicate", "unknown command \"frobnicate\". Try `/vigil help`."),
        Arguments.of(
            "list everything", "`/vigil list` has too many arguments. Usage: `/vigil list`"),
        Arguments.of("show", "`/vigil show` is missing an argument. Usage: `/vigil show ID`"),
        Arguments.of(
            "show INC-1 INC-2", "`/vigil show` has too many arguments. Usage: `/vigil show ID`"),
        Arguments.of(
            "ack checkout",
            "`/vigil ack` \"checkout\" is not an incident id (they look like INC-42). Usage: `/vigil ack ID`"),
        Arguments.of(
            "ack INC-0",
            "`/vigil ack` \"INC-0\" is not an incident id (they look like INC-42). Usage: `/vigil ack ID`"),
        Arguments.of(
            "resolve", "`/vigil resolve` needs an incident id. Usage: `/vigil resolve ID [note]`"),
        Arguments.of(
            "snooze INC-42",
            "`/vigil snooze` is missing an argument. Usage: `/vigil snooze ID DURATION`"),
        Arguments.of(
            "snooze INC-42 30",
            "`/vigil snooze` duration \"30\" needs a unit, e.g. 30s (units: ms, s, m, h, d). Usage: `/vigil snooze ID DURATION`"),
        Arguments.of(
            "snooze INC-42 soon",
            "`/vigil snooze` \"soon\" is not a duration (write e.g. 500ms, 30s, 5m, 1h30m, 2d). Usage: `/vigil snooze ID DURATION`"),
        Arguments.of(
            "snooze INC-42 2d",
            "`/vigil snooze` accepts at most 1d, got 2d. Usage: `/vigil snooze ID DURATION`"),
        Arguments.of(
            "snooze INC-42 0m",
            "`/vigil snooze` needs a duration above zero. Usage: `/vigil snooze ID DURATION`"),
        Arguments.of(
            "escalate", "`/vigil escalate` is missing an argument. Usage: `/vigil escalate ID`"),
        Arguments.of(
            "oncall tomorrow",
            "`/vigil oncall` \"tomorrow\" is not a time: write 2026-11-29T03:00:00Z, 14:00 (UTC) or 2h (from now). Usage: `/vigil oncall [TIME]`"),
        Arguments.of(
            "oncall 25:00",
            "`/vigil oncall` \"25:00\" is not a time of day. Usage: `/vigil oncall [TIME]`"),
        // a valid instant the resolver cannot work with: it used to answer "internal error"
        // (DateTimeException)
        Arguments.of(
            "oncall +999999999-12-31T23:59:59Z",
            "`/vigil oncall` \"+999999999-12-31T23:59:59Z\" is outside the supported range (years 0000 to 9999). Usage: `/vigil oncall [TIME]`"),
        Arguments.of(
            "oncall 1h 2h",
            "`/vigil oncall` takes at most one TIME. Usage: `/vigil oncall [TIME]`"),
        Arguments.of(
            "run INC-42", "`/vigil run` is missing an argument. Usage: `/vigil run RUNBOOK ID`"),
        Arguments.of(
            "run ../etc INC-42",
            "`/vigil run` \"../etc\" is not a runbook name. Usage: `/vigil run RUNBOOK ID`"),
        Arguments.of(
            "approve", "`/vigil approve` is missing an argument. Usage: `/vigil approve RUN`"),
        Arguments.of(
            "approve INC-42",
            "`/vigil approve` \"INC-42\" is not a run id (they look like RUN-7). Usage: `/vigil approve RUN`"),
        Arguments.of(
            "reject RUN-x",
            "`/vigil reject` \"RUN-x\" is not a run id (they look like RUN-7). Usage: `/vigil reject RUN`"),
        Arguments.of(
            "override eu",
            "`/vigil override` is missing an argument. Usage: `/vigil override TEAM DURATION`"),
        Arguments.of(
            "override eu 100d",
            "`/vigil override` accepts at most 90d, got 100d. Usage: `/vigil override TEAM DURATION`"));
  }

  @ParameterizedTest(name = "/vigil {0}")
  @MethodSource("invalid")
  void explainsTheUsage(String text, String message) {
    assertThatThrownBy(() -> parser.parse(text)).isInstanceOf(Usage.class).hasMessage(message);
  }
}
