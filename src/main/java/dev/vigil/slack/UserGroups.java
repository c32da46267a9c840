package dev.vigil.slack;

import io.vertx.core.Future;
import java.util.Set;

/**
 * The members of a Slack user group ({@code S0ONCALL}): who {@code chatops.allow} lets in through a
 * group id.
 */
@FunctionalInterface
public interface UserGroups {
  /**
   * The user ids in the group; fails when membership cannot be learned (then the action is
   * refused).
   */
  Future<Set<String>> members(String groupId);
}
