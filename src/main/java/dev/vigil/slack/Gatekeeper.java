package dev.vigil.slack;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies {@code chatops.allow}: an action listed there ({@code run}, {@code override}, {@code
 * approve}, {@code resolve}) is allowed only to the listed Slack user ids ({@code U...}, {@code
 * W...}) and the members of the listed user groups ({@code S...}); an action not listed is allowed
 * to everyone in the workspace. A group whose membership cannot be learned lets nobody in through
 * it (fail closed), and the refusal says so. Thread-safe.
 */
public final class Gatekeeper {
  private final Map<String, List<String>> allow;
  private final UserGroups groups;

  public Gatekeeper(Map<String, List<String>> allow, UserGroups groups) {
    this.allow = Map.copyOf(allow);
    this.groups = groups;
  }

  /**
   * Succeeds when {@code actor} may do {@code action}; otherwise fails with a {@link Refusal}
   * saying why.
   */
  public Future<Void> check(String action, Actor actor) {
    List<String> allowed = allow.get(action);
    if (allowed == null) {
      return Future.succeededFuture();
    }
    return among(allowed, actor, action, "chatops.allow." + action);
  }

  /**
   * Succeeds when {@code actor} is one of {@code ids} (user ids, or user-group ids whose members
   * count) — for lists other than {@code chatops.allow}, such as an approval step's {@code
   * approvers}. An empty list admits nobody. {@code source} names the list in the refusal.
   */
  public Future<Void> among(List<String> ids, Actor actor, String action, String source) {
    if (ids.contains(actor.userId())) {
      return Future.succeededFuture();
    }
    if (ids.isEmpty()) {
      return Future.failedFuture(
          new Refusal("nobody may " + action + " from Slack: " + source + " is empty"));
    }
    List<String> groupIds = ids.stream().filter(id -> id.startsWith("S")).toList();
    return inAnyGroup(action, source, actor, groupIds, 0, new ArrayList<>());
  }

  private Future<Void> inAnyGroup(
      String action,
      String source,
      Actor actor,
      List<String> groupIds,
      int i,
      List<String> unknown) {
    if (i == groupIds.size()) {
      return Future.failedFuture(new Refusal(refusal(action, source, actor, groupIds, unknown)));
    }
    String group = groupIds.get(i);
    return groups
        .members(group)
        .transform(
            ar -> {
              if (ar.succeeded() && ar.result().contains(actor.userId())) {
                return Future.succeededFuture();
              }
              if (ar.failed()) {
                unknown.add(group + " (" + ar.cause().getMessage() + ")");
              }
              return inAnyGroup(action, source, actor, groupIds, i + 1, unknown);
            });
  }

  private static String refusal(
      String action, String source, Actor actor, List<String> groupIds, List<String> unknown) {
    return "%s may not %s from Slack: %s lets only %s do it. Ask a lead to add you%s."
        .formatted(
            actor.mention(),
            action,
            source,
            who(groupIds),
            unknown.isEmpty()
                ? ""
                : "; membership of " + String.join(", ", unknown) + " could not be checked");
  }

  private static String who(List<String> groupIds) {
    return groupIds.isEmpty()
        ? "the listed users"
        : "the listed users and members of "
            + String.join(", ", groupIds.stream().map(g -> "<!subteam^" + g + ">").toList());
  }

  /** What each restricted action is called in {@code chatops.allow}. */
  static String actionOf(Command c) {
    if (c instanceof Command.Run) {
      return "run";
    }
    if (c instanceof Command.Approve || c instanceof Command.Reject) {
      return "approve"; // rejecting is deciding an approval too
    }
    if (c instanceof Command.Resolve) {
      return "resolve";
    }
    return c instanceof Command.OverrideTeam ? "override" : null;
  }
}
