package dev.vigil.slack;

import dev.vigil.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * User-group membership from Slack's {@code usergroups.users.list} (bot scope {@code
 * usergroups:read}), kept for a minute so a burst of commands asks once. See ADR 0050. Thread-safe;
 * calls never block.
 */
public final class SlackUserGroups implements UserGroups {
  static final Duration TTL = Duration.ofMinutes(1);
  private static final long TIMEOUT_MS = 2_000; // the whole command must answer within Slack's 3 s

  private record Cached(Set<String> members, Instant until) {}

  private final WebClient client;
  private final String apiUrl;
  private final Secret botToken;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  /**
   * @param apiUrl Slack's Web API prefix, e.g. {@code https://slack.com/api/} ({@code
   *     slack.apiUrl})
   */
  public SlackUserGroups(WebClient client, String apiUrl, Secret botToken, Clock clock) {
    this.client = client;
    this.apiUrl = apiUrl.endsWith("/") ? apiUrl : apiUrl + "/";
    this.botToken = botToken;
    this.clock = clock;
  }

  @Override
  public Future<Set<String>> members(String groupId) {
    Cached c = cache.get(groupId);
    Instant now = clock.instant();
    if (c != null && now.isBefore(c.until())) {
      return Future.succeededFuture(c.members());
    }
    if (botToken.isEmpty()) {
      return Future.failedFuture(new IllegalStateException("slack.botToken is not configured"));
    }
    return client
        .postAbs(apiUrl + "usergroups.users.list")
        .putHeader("Authorization", "Bearer " + botToken.reveal())
        .timeout(TIMEOUT_MS)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("usergroup", groupId))
        .compose(
            resp -> {
              if (resp.statusCode() != 200) {
                return Future.failedFuture(
                    new IllegalStateException("Slack answered HTTP " + resp.statusCode()));
              }
              JsonObject body = resp.bodyAsJsonObject();
              if (body == null || !body.getBoolean("ok", false)) {
                return Future.failedFuture(
                    new IllegalStateException(
                        "Slack said "
                            + (body == null ? "nothing" : body.getString("error", "not ok"))));
              }
              Set<String> members = new HashSet<>();
              JsonArray users = body.getJsonArray("users", new JsonArray());
              users.forEach(u -> members.add(String.valueOf(u)));
              Set<String> out = Set.copyOf(members);
              cache.put(groupId, new Cached(out, clock.instant().plus(TTL)));
              return Future.succeededFuture(out);
            });
  }
}
