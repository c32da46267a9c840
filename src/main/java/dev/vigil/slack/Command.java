package dev.vigil.slack;

import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.TeamId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One parsed {@code /vigil} command. {@link CommandParser} makes them; {@link Responder} carries
 * them out.
 */
public sealed interface Command {

  /** The word that names the command, as typed and as a metric label. */
  String name();

  /** Commands that may take longer than Slack's three seconds answer "working on it" at once. */
  default boolean slow() {
    return false;
  }

  record Help() implements Command {
    public String name() {
      return "help";
    }
  }

  record ListOpen() implements Command {
    public String name() {
      return "list";
    }
  }

  record Show(IncidentId incident) implements Command {
    public String name() {
      return "show";
    }
  }

  record Ack(IncidentId incident) implements Command {
    public String name() {
      return "ack";
    }
  }

  record Resolve(IncidentId incident, String note) implements Command {
    public String name() {
      return "resolve";
    }
  }

  record Snooze(IncidentId incident, Duration duration) implements Command {
    public String name() {
      return "snooze";
    }
  }

  record Escalate(IncidentId incident) implements Command {
    public String name() {
      return "escalate";
    }

    @Override
    public boolean slow() {
      return true;
    }
  }

  /**
   * @param at the instant asked about; empty means now
   */
  record Oncall(Optional<Instant> at) implements Command {
    public String name() {
      return "oncall";
    }
  }

  record Run(String runbook, IncidentId incident) implements Command {
    public String name() {
      return "run";
    }

    @Override
    public boolean slow() {
      return true;
    }
  }

  record Approve(String run) implements Command {
    public String name() {
      return "approve";
    }

    @Override
    public boolean slow() {
      return true;
    }
  }

  record Reject(String run) implements Command {
    public String name() {
      return "reject";
    }

    @Override
    public boolean slow() {
      return true;
    }
  }

  record OverrideTeam(TeamId team, Duration duration) implements Command {
    public String name() {
      return "override";
    }
  }
}
