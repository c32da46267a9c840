package dev.vigil.oncall;

import dev.vigil.config.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a team is paged: a Slack channel, a PagerDuty routing key and/or an outgoing webhook. Each
 * may be empty (an unset {@code ${env:PD_KEY_US:-}} gives an empty key); a team with none cannot be
 * paged, and escalation skips it. {@code slackUserGroup} (a Slack user group id, {@code S...}, or
 * empty) says who is on the team: while the team is on call, its members may decide approval steps
 * that name no approvers.
 */
public record Channels(
    String slackChannel, Secret pagerdutyRoutingKey, String slackUserGroup, Webhook webhook) {
  public static final Channels NONE = new Channels("", new Secret(""));

  /**
   * A team's outgoing webhook: Vigil POSTs its pages and their acknowledgements and resolutions to
   * {@code url}, signed with {@code secret} (docs/notifications.md). An empty url means none.
   */
  public record Webhook(String url, Secret secret) {
    public static final Webhook NONE = new Webhook("", new Secret(""));

    public boolean isEmpty() {
      return url.isEmpty();
    }

    @Override
    public String toString() {
      return url.isEmpty() ? "(none)" : url + " (signed)";
    }
  }

  public Channels(String slackChannel, Secret pagerdutyRoutingKey) {
    this(slackChannel, pagerdutyRoutingKey, "");
  }

  public Channels(String slackChannel, Secret pagerdutyRoutingKey, String slackUserGroup) {
    this(slackChannel, pagerdutyRoutingKey, slackUserGroup, Webhook.NONE);
  }

  /**
   * The kinds of channel configured, in paging order: {@code pagerduty}, {@code webhook}, {@code
   * slack}.
   */
  public List<String> kinds() {
    List<String> out = new ArrayList<>(3);
    if (!pagerdutyRoutingKey.isEmpty()) {
      out.add("pagerduty");
    }
    if (!webhook.isEmpty()) {
      out.add("webhook");
    }
    if (!slackChannel.isEmpty()) {
      out.add("slack");
    }
    return List.copyOf(out);
  }
}
