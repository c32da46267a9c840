package dev.vigil.slack.fake;

import dev.vigil.fake.FakeSlack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * [F5]'s {@link FakeSlack} (the Web API: auth.test, chat.postMessage, chat.update, bot token
 * checks) with what the commands and buttons need on top: response_urls ({@code POST
 * /response/{id}}, recorded per id) and {@code usergroups.users.list} (groups set by the test;
 * {@link #failGroups} makes it answer {@code ok:false}).
 */
public final class ChatOpsSlack implements AutoCloseable {
  public final FakeSlack slack;
  public final Map<String, Set<String>> groups = new ConcurrentHashMap<>();
  public final Map<String, List<JsonObject>> responses = new ConcurrentHashMap<>();
  public final List<String> groupLookups = new CopyOnWriteArrayList<>();
  public volatile boolean failGroups;

  public ChatOpsSlack(String botToken) {
    slack = new FakeSlack(botToken);
    slack.method(
        "usergroups.users.list",
        call -> {
          String group = call.param("usergroup");
          groupLookups.add(group);
          if (failGroups) {
            return new JsonObject().put("ok", false).put("error", "missing_scope");
          }
          Set<String> members = groups.get(group);
          return members == null
              ? new JsonObject().put("ok", false).put("error", "no_such_subteam")
              : new JsonObject().put("ok", true).put("users", new JsonArray(List.copyOf(members)));
        });
    slack.router().post("/response/:id").handler(BodyHandler.create(false));
    slack
        .router()
        .post("/response/:id")
        .handler(
            ctx -> {
              responses
                  .computeIfAbsent(ctx.pathParam("id"), k -> new CopyOnWriteArrayList<>())
                  .add(ctx.body().asJsonObject());
              ctx.response().setStatusCode(200).end("ok");
            });
  }

  public String url(String path) {
    return slack.apiUrl().replaceAll("/api/$", "") + path;
  }

  /** What {@code slack.apiUrl} should be. */
  public String apiUrl() {
    return slack.apiUrl();
  }

  public List<JsonObject> responses(String id) {
    return responses.getOrDefault(id, List.of());
  }

  @Override
  public void close() {
    slack.close();
  }
}
