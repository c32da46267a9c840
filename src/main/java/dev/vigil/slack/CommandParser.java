package dev.vigil.slack;

import dev.vigil.config.Durations;
import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.TeamId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the text after {@code /vigil} into a {@link Command}. Words are separated by white space;
 * the command word is case-insensitive. Anything else fails with {@link Usage}, whose message names
 * the problem and shows the right form. Thread-safe.
 */
public final class CommandParser {
  /** The longest snooze or override accepted from Slack; longer ones belong in teams.yaml. */
  static final Duration MAX_SNOOZE = Duration.ofDays(1);

  static final Duration MAX_OVERRIDE = Duration.ofDays(90);

  /** Each command with its form, in the order {@code help} lists them. */
  static final List<String[]> FORMS =
      List.of(
          new String[] {"help", "this list"},
          new String[] {"list", "open incidents, newest first"},
          new String[] {"show ID", "an incident with its latest timeline"},
          new String[] {"ack ID", "acknowledge: stops escalation"},
          new String[] {"resolve ID [note]", "resolve, with an optional note for the timeline"},
          new String[] {
            "snooze ID DURATION", "hold escalation for e.g. 30m (a new alert ends the snooze)"
          },
          new String[] {"escalate ID", "page the next escalation level now"},
          new String[] {
            "oncall [TIME]",
            "who is on call now (or at TIME: 2026-11-29T03:00:00Z, 14:00 UTC, or 2h from now) and the next handoff"
          },
          new String[] {"run RUNBOOK ID", "start a runbook for an incident"},
          new String[] {"approve RUN", "approve the step a run waits for"},
          new String[] {"reject RUN", "reject the step a run waits for"},
          new String[] {
            "override TEAM DURATION", "put TEAM on call for DURATION from now, e.g. override eu 2h"
          });

  private final Clock clock;

  public CommandParser(Clock clock) {
    this.clock = clock;
  }

  public Command parse(String text) {
    String[] words = text == null ? new String[0] : text.trim().split("\\s+");
    if (words.length == 0 || words[0].isEmpty()) {
      return new Command.Help();
    }
    String verb = words[0].toLowerCase(Locale.ROOT);
    String[] args = Arrays.copyOfRange(words, 1, words.length);
    return switch (verb) {
      case "help" -> new Command.Help();
      case "list", "ls" -> {
        exactly(verb, args, 0);
        yield new Command.ListOpen();
      }
      case "show" -> new Command.Show(incident(verb, args, 1));
      case "ack", "acknowledge" -> new Command.Ack(incident(verb, args, 1));
      case "resolve" -> {
        IncidentId id = incident(verb, args, -1);
        String note = String.join(" ", Arrays.copyOfRange(args, 1, args.length));
        yield new Command.Resolve(id, note);
      }
      case "snooze" -> {
        IncidentId id = incident(verb, args, 2);
        Duration d = duration(verb, args[1], MAX_SNOOZE);
        yield new Command.Snooze(id, d);
      }
      case "escalate" -> new Command.Escalate(incident(verb, args, 1));
      case "oncall", "who" -> {
        if (args.length > 1) {
          throw usage(verb, "takes at most one TIME");
        }
        yield new Command.Oncall(args.length == 0 ? Optional.empty() : Optional.of(time(args[0])));
      }
      case "run" -> {
        exactly(verb, args, 2);
        if (!args[0].matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
          throw usage(verb, "\"" + args[0] + "\" is not a runbook name");
        }
        yield new Command.Run(args[0], incidentId(verb, args[1]));
      }
      case "approve" -> new Command.Approve(run(verb, args));
      case "reject" -> new Command.Reject(run(verb, args));
      case "override" -> {
        exactly(verb, args, 2);
        if (!args[0].matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
          throw usage(verb, "\"" + args[0] + "\" is not a team id");
        }
        yield new Command.OverrideTeam(new TeamId(args[0]), duration(verb, args[1], MAX_OVERRIDE));
      }
      default -> throw new Usage("unknown command \"" + words[0] + "\". Try `/vigil help`.");
    };
  }

  /** The usage line of a command word, e.g. {@code /vigil snooze ID DURATION}. */
  static String form(String verb) {
    String canonical =
        switch (verb) {
          case "ls" -> "list";
          case "acknowledge" -> "ack";
          case "who" -> "oncall";
          default -> verb;
        };
    return FORMS.stream()
        .filter(f -> f[0].split(" ")[0].equals(canonical))
        .findFirst()
        .map(f -> "/vigil " + f[0])
        .orElse("/vigil help");
  }

  private static Usage usage(String verb, String problem) {
    return new Usage("`/vigil " + verb + "` " + problem + ". Usage: `" + form(verb) + "`");
  }

  private static void exactly(String verb, String[] args, int n) {
    if (args.length < n) {
      throw usage(
          verb,
          "is missing "
              + (n - args.length == 1 ? "an argument" : (n - args.length) + " arguments"));
    }
    if (args.length > n) {
      throw usage(verb, "has too many arguments");
    }
  }

  /**
   * The first argument as an incident id; {@code n} is the exact argument count, or -1 for "at
   * least one".
   */
  private static IncidentId incident(String verb, String[] args, int n) {
    if (n >= 0) {
      exactly(verb, args, n);
    } else if (args.length == 0) {
      throw usage(verb, "needs an incident id");
    }
    return incidentId(verb, args[0]);
  }

  private static IncidentId incidentId(String verb, String raw) {
    String s = raw.matches("[0-9]+") ? "INC-" + raw : raw;
    return IncidentId.parse(s)
        .orElseThrow(
            () -> usage(verb, "\"" + raw + "\" is not an incident id (they look like INC-42)"));
  }

  private static String run(String verb, String[] args) {
    exactly(verb, args, 1);
    String s = args[0].matches("[0-9]+") ? "RUN-" + args[0] : args[0];
    if (!s.matches("(?i)RUN-[1-9][0-9]{0,17}")) {
      throw usage(verb, "\"" + args[0] + "\" is not a run id (they look like RUN-7)");
    }
    return s.toUpperCase(Locale.ROOT);
  }

  private static Duration duration(String verb, String raw, Duration max) {
    Duration d;
    try {
      d = Durations.parse(raw);
    } catch (IllegalArgumentException e) {
      throw usage(verb, e.getMessage());
    }
    if (d.isZero() || d.isNegative()) {
      throw usage(verb, "needs a duration above zero");
    }
    if (d.compareTo(max) > 0) {
      throw usage(verb, "accepts at most " + Durations.format(max) + ", got " + raw);
    }
    return d;
  }

  /**
   * An RFC 3339 instant, {@code HH:MM} (UTC, the next such time), or a duration from now ({@code
   * 2h}, {@code +2h}).
   */
  private Instant time(String raw) {
    Instant now = clock.instant();
    try {
      Instant t = Instant.parse(raw);
      if (!Resolver.covers(t)) {
        throw usage(
            "oncall", "\"" + raw + "\" is outside the supported range (years 0000 to 9999)");
      }
      return t;
    } catch (DateTimeParseException ignored) {
      // try the other forms
    }
    if (raw.matches("\\d{1,2}:\\d{2}")) {
      try {
        LocalTime t = LocalTime.parse(raw.length() == 4 ? "0" + raw : raw);
        Instant today =
            now.atOffset(ZoneOffset.UTC).toLocalDate().atTime(t).toInstant(ZoneOffset.UTC);
        return today.isBefore(now) ? today.plus(Duration.ofDays(1)) : today;
      } catch (DateTimeParseException e) {
        throw usage("oncall", "\"" + raw + "\" is not a time of day");
      }
    }
    String d = raw.startsWith("+") ? raw.substring(1) : raw;
    try {
      return now.plus(Durations.parse(d));
    } catch (IllegalArgumentException e) {
      throw usage(
          "oncall",
          "\""
              + raw
              + "\" is not a time: write 2026-11-29T03:00:00Z, 14:00 (UTC) or 2h (from now)");
    }
  }
}
