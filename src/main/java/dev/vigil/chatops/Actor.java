package dev.vigil.chatops;

/** A Slack user acting through Vigil; {@link #by()} is how the timeline records them. */
public record Actor(String userId) {
  public String by() {
    return "slack:" + userId;
  }

  /** How Slack shows the user in a message. */
  public String mention() {
    return "<@" + userId + ">";
  }

  /** {@code slack:U123} as a mention; any other actor as it is. */
  static String mention(String by) {
    return by != null && by.startsWith("slack:") ? "<@" + by.substring(6) + ">" : by;
  }
}
