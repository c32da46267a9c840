package dev.vigil.slack;

import dev.vigil.expr.Mrkdwn;

/** A Slack user acting through Vigil; {@link #by()} is how the timeline records them. */
public record Actor(String userId) {
  public String by() {
    return "slack:" + userId;
  }

  /** How Slack shows the user in a message. */
  public String mention() {
    return "<@" + userId + ">";
  }

  /**
   * {@code slack:U123} as a mention; any other actor ({@code alice} from the API, {@code
   * escalation}) as escaped text, so a name given through the API cannot mention or link.
   */
  static String mention(String by) {
    return by != null && by.startsWith("slack:") && by.substring(6).matches("[A-Z0-9]+")
        ? "<@" + by.substring(6) + ">"
        : Mrkdwn.escape(by);
  }
}
