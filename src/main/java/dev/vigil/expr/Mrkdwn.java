package dev.vigil.expr;

/**
 * Text for Slack: a message's top-level {@code text} and every {@code mrkdwn} object, where Slack
 * reads {@code <!channel>}, {@code <@U123>} and {@code <https://x|label>} as mentions and links.
 * Data (alert titles and labels, timeline text, values a runbook inserts) goes through {@link
 * #escape} so it never becomes one; Vigil's own markup (a mention of the user who acted) is added
 * around the escaped data.
 */
public final class Mrkdwn {
  private Mrkdwn() {}

  /**
   * Slack's three control characters as Slack documents them: {@code &amp; &lt; &gt;}. Null reads
   * as empty.
   */
  public static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
