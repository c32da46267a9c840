package dev.vigil.escalation;

import dev.vigil.oncall.TeamId;

/** Whom a level pages: the team on call now, the team whose window starts next, or a named team. */
public sealed interface Target {
  record Active() implements Target {
    @Override
    public String toString() {
      return "active";
    }
  }

  record Next() implements Target {
    @Override
    public String toString() {
      return "next";
    }
  }

  record Team(TeamId id) implements Target {
    @Override
    public String toString() {
      return "team:" + id;
    }
  }

  Target ACTIVE = new Active();
  Target NEXT = new Next();

  /**
   * {@code active}, {@code next} or {@code team:<id>}; anything else throws with a message for a
   * person.
   */
  static Target parse(String s) {
    return switch (s) {
      case "active" -> ACTIVE;
      case "next" -> NEXT;
      default -> {
        if (s.startsWith("team:") && s.length() > 5) {
          yield new Team(new TeamId(s.substring(5)));
        }
        throw new IllegalArgumentException(
            "notify must be active, next or team:<id>, got \"" + s + "\"");
      }
    };
  }
}
