package dev.vigil.chatops.fake;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The parts of Slack that chatops talks back to, on loopback: response_urls ({@code POST
 * /response/{id}}, recorded per id) and the Web API's {@code usergroups.users.list} (checks the bot
 * token; groups are set by the test; {@link #failGroups} makes it answer {@code ok:false}).
 * Minimal on purpose: the notification fake of [F5] covers posting and updating messages.
 */
public final class FakeSlack implements AutoCloseable {
  public final Map<String, Set<String>> groups = new ConcurrentHashMap<>();
  public final Map<String, List<JsonObject>> responses = new ConcurrentHashMap<>();
  public final List<String> groupLookups = new CopyOnWriteArrayList<>();
  public volatile boolean failGroups;
  private final Vertx vertx = Vertx.vertx();
  private final String token;
  private final HttpServer server;

  public FakeSlack(String botToken) {
    this.token = botToken;
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false));
    router.post("/response/:id").handler(ctx -> {
      responses.computeIfAbsent(ctx.pathParam("id"), k -> new CopyOnWriteArrayList<>()).add(ctx.body().asJsonObject());
      ctx.response().setStatusCode(200).end("ok");
    });
    router.post("/api/usergroups.users.list").handler(ctx -> {
      if (!("Bearer " + token).equals(ctx.request().getHeader("Authorization"))) {
        ctx.json(new JsonObject().put("ok", false).put("error", "invalid_auth"));
        return;
      }
      String group = ctx.request().getFormAttribute("usergroup");
      groupLookups.add(group);
      if (failGroups) {
        ctx.json(new JsonObject().put("ok", false).put("error", "missing_scope"));
        return;
      }
      Set<String> members = groups.get(group);
      if (members == null) {
        ctx.json(new JsonObject().put("ok", false).put("error", "no_such_subteam"));
        return;
      }
      ctx.json(new JsonObject().put("ok", true).put("users", new JsonArray(List.copyOf(members))));
    });
    try {
      server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("fake Slack did not start", e);
    }
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  /** The Web API prefix, for {@code slack.apiUrl}. */
  public String apiUrl() {
    return url("/api/");
  }

  public List<JsonObject> responses(String id) {
    return responses.getOrDefault(id, List.of());
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
