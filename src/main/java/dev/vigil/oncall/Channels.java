package dev.vigil.oncall;

import dev.vigil.config.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a team is paged: a Slack channel and/or a PagerDuty routing key. Either may be empty
 * (an unset {@code ${env:PD_KEY_US:-}} gives an empty key); a team with neither cannot be paged,
 * and escalation skips it. {@code slackUserGroup} (a Slack user group id, {@code S...}, or empty)
 * says who is on the team: while the team is on call, its members may decide approval steps that
 * name no approvers.
 */
public record Channels(String slackChannel, Secret pagerdutyRoutingKey, String slackUserGroup) {
  public static final Channels NONE = new Channels("", new Secret(""));

  public Channels(String slackChannel, Secret pagerdutyRoutingKey) {
    this(slackChannel, pagerdutyRoutingKey, "");
  }

  /** The kinds of channel configured, in paging order: {@code pagerduty}, {@code slack}. */
  public List<String> kinds() {
    List<String> out = new ArrayList<>(2);
    if (!pagerdutyRoutingKey.isEmpty()) {
      out.add("pagerduty");
    }
    if (!slackChannel.isEmpty()) {
      out.add("slack");
    }
    return List.copyOf(out);
  }
}
