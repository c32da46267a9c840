package dev.vigil.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Slack Web API on loopback, port 0, for the methods Vigil calls: {@code auth.test}, {@code
 * chat.postMessage}, {@code chat.update} and {@code conversations.history} at {@code /api/<method>}
 * (form or JSON bodies, as the SDK and WebClient send them). It checks the bot token ({@code
 * invalid_auth} otherwise), resolves channel names to ids, refuses Block Kit Slack would refuse
 * ({@code invalid_blocks}, see {@link SlackBlocks}), enforces a per-channel rate (a call sooner
 * than {@code minInterval} after the previous one to that channel gets HTTP 429 with {@code
 * Retry-After}), and records every call and every message with its history of updates and the
 * {@code metadata} it was posted with. {@code conversations.history} answers like Slack: the
 * channel must be an id the fake handed out ({@code channel_not_found} otherwise), newest first,
 * after {@code oldest}, at most {@code limit}, {@code metadata} only with {@code
 * include_all_metadata}; or {@code missing_scope} when {@link #withoutHistoryScope} says so. {@link
 * #holdPosts} makes Slack post a message but not answer (a replica dying while the call is in
 * flight).
 *
 * <p>Extending it (e.g. for [F6]'s {@code views.open} or a {@code response_url} receiver): register
 * a handler with {@link #method(String, Function)}; it receives the parsed {@link Call} and returns
 * the JSON answer. {@link #router()} is exposed for other routes. Thread-safe.
 */
public final class FakeSlack implements AutoCloseable {
  /** One call as received. {@code params} holds form fields or JSON fields as strings. */
  public record Call(String method, Map<String, String> params, long atMillis, int status) {
    public String param(String name) {
      return params.get(name);
    }
  }

  /** A message and what it looked like after each update (index 0: as posted). */
  public static final class Message {
    public final String channelId;
    public final String ts;
    public final List<String> texts = new ArrayList<>();
    public final List<String> blocks = new ArrayList<>();

    /** The {@code metadata} it was posted with (JSON), or null. */
    public final String metadata;

    Message(String channelId, String ts, String metadata) {
      this.channelId = channelId;
      this.ts = ts;
      this.metadata = metadata;
    }

    public synchronized String text() {
      return texts.get(texts.size() - 1);
    }

    public synchronized String blocks() {
      return blocks.get(blocks.size() - 1);
    }

    public synchronized int updates() {
      return texts.size() - 1;
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Router router;
  private final String token;
  private final Map<String, Function<Call, JsonObject>> methods = new ConcurrentHashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final Map<String, String> channelIds = new HashMap<>();
  private final Map<String, String> channelNames = new HashMap<>();
  private final Map<String, Message> messages = new LinkedHashMap<>();
  private final Map<String, Long> lastCall = new HashMap<>();
  private final Map<String, Integer> forced429 = new HashMap<>();
  private final Set<String> missing = new HashSet<>();
  private volatile long minIntervalMillis;
  private volatile boolean down;
  private volatile double failRate;
  private volatile int maxLatencyMillis;
  private final Random random = new Random(7);
  private volatile int retryAfterSeconds = 1;
  private long lastTsMicros;
  private volatile boolean historyScope = true;
  private final Map<String, Integer> holds = new HashMap<>();
  private final List<Runnable> held = new ArrayList<>();

  public FakeSlack(String botToken) {
    this.token = botToken;
    this.router = Router.router(vertx);
    router.post("/api/:method").handler(BodyHandler.create(false));
    router.post("/api/:method").handler(this::handle);
    method(
        "auth.test",
        c ->
            new JsonObject()
                .put("ok", true)
                .put("url", "https://fake.slack/")
                .put("team", "Fake")
                .put("user", "vigil")
                .put("team_id", "T0FAKE")
                .put("user_id", "U0VIGIL")
                .put("bot_id", "B0VIGIL"));
    method("chat.postMessage", this::postMessage);
    method("chat.update", this::update);
    method("conversations.history", this::history);
    try {
      server =
          vertx
              .createHttpServer()
              .requestHandler(router)
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What {@code slack.apiUrl} should be. */
  public String apiUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/api/";
  }

  public Router router() {
    return router;
  }

  /** Adds or replaces the handler of a Web API method. */
  public FakeSlack method(String name, Function<Call, JsonObject> handler) {
    methods.put(name, handler);
    return this;
  }

  /** Calls to one channel closer together than this get 429 + Retry-After (0: no limit). */
  public FakeSlack minInterval(long millis, int retryAfterSeconds) {
    this.minIntervalMillis = millis;
    this.retryAfterSeconds = retryAfterSeconds;
    return this;
  }

  /**
   * The next {@code n} calls to the channel (name or id) get 429 with {@code Retry-After: seconds}.
   */
  public synchronized FakeSlack rateLimitNext(String channel, int n, int seconds) {
    forced429.put(channelId(channel), n);
    this.retryAfterSeconds = seconds;
    return this;
  }

  /** While down, every Web API method answers HTTP 503. */
  public FakeSlack down(boolean down) {
    this.down = down;
    return this;
  }

  /**
   * This share of Web API calls (not auth.test) fails with HTTP 500 or 503, chosen at random
   * (seeded).
   */
  public FakeSlack failRate(double rate) {
    this.failRate = rate;
    return this;
  }

  /** Each Web API call is answered after a random 0..max ms (a stalling Slack). */
  public FakeSlack latency(int maxMillis) {
    this.maxLatencyMillis = maxMillis;
    return this;
  }

  /**
   * Without the scope, {@code conversations.history} answers {@code missing_scope} (needed:
   * channels:history).
   */
  public FakeSlack withoutHistoryScope() {
    this.historyScope = false;
    return this;
  }

  /**
   * The next {@code n} {@code chat.postMessage} calls post their message but get no answer until
   * {@link #releaseHeld} (or ever, if the caller went away meanwhile).
   */
  public synchronized FakeSlack holdPosts(int n) {
    return hold("chat.postMessage", n);
  }

  /**
   * The next {@code n} calls of {@code method} are taken but get no answer until {@link
   * #releaseHeld}.
   */
  public synchronized FakeSlack hold(String method, int n) {
    holds.put(method, n);
    return this;
  }

  /** Sends the answers held back by {@link #holdPosts} and {@link #hold}. */
  public void releaseHeld() {
    List<Runnable> answers;
    synchronized (this) {
      answers = List.copyOf(held);
      held.clear();
    }
    answers.forEach(Runnable::run);
  }

  /** Posting to this channel answers {@code channel_not_found}. */
  public synchronized FakeSlack missing(String channel) {
    missing.add(channel);
    return this;
  }

  private void handle(RoutingContext ctx) {
    int delay;
    synchronized (random) {
      delay = maxLatencyMillis > 0 ? random.nextInt(maxLatencyMillis + 1) : 0;
    }
    if (delay > 0) {
      vertx.setTimer(delay, t -> answer(ctx));
    } else {
      answer(ctx);
    }
  }

  private void answer(RoutingContext ctx) {
    String method = ctx.pathParam("method");
    Map<String, String> params = new LinkedHashMap<>();
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && type.startsWith("application/json")) {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        body.forEach(
            e ->
                params.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
      }
    } else {
      MultiMap form = ctx.request().formAttributes();
      form.forEach(e -> params.put(e.getKey(), e.getValue()));
    }
    long now = System.currentTimeMillis();
    int injected = 0;
    if (failRate > 0 && !method.equals("auth.test")) {
      synchronized (random) {
        injected = random.nextDouble() < failRate ? (random.nextBoolean() ? 500 : 503) : 0;
      }
    }
    if ((down || injected != 0) && !method.equals("auth.test")) {
      int status = down ? 503 : injected;
      record(method, params, now, status);
      ctx.response().setStatusCode(status).end();
      return;
    }
    String auth = ctx.request().getHeader("Authorization");
    if (auth == null || !auth.equals("Bearer " + token)) {
      record(method, params, now, 200);
      ctx.json(
          new JsonObject()
              .put("ok", false)
              .put("error", auth == null ? "not_authed" : "invalid_auth"));
      return;
    }
    String channel = params.get("channel");
    if (channel != null && !method.equals("auth.test")) {
      String id;
      boolean limited;
      synchronized (this) {
        id = channelId(channel);
        Integer forced = forced429.get(id);
        Long last = lastCall.get(id);
        limited =
            (forced != null && forced > 0)
                || (minIntervalMillis > 0 && last != null && now - last < minIntervalMillis);
        if (forced != null && forced > 0) {
          forced429.put(id, forced - 1);
        }
        if (!limited) {
          lastCall.put(id, now);
        }
      }
      if (limited) {
        record(method, params, now, 429);
        ctx.response()
            .setStatusCode(429)
            .putHeader("Retry-After", String.valueOf(retryAfterSeconds))
            .end();
        return;
      }
    }
    Function<Call, JsonObject> handler = methods.get(method);
    Call call = record(method, params, now, 200);
    JsonObject answer =
        handler == null
            ? new JsonObject().put("ok", false).put("error", "unknown_method")
            : handler.apply(call);
    synchronized (this) {
      int holding = holds.getOrDefault(method, 0);
      if (holding > 0) {
        holds.put(method, holding - 1);
        held.add(() -> ctx.json(answer));
        return;
      }
    }
    ctx.json(answer);
  }

  private synchronized Call record(
      String method, Map<String, String> params, long now, int status) {
    Call c = new Call(method, Map.copyOf(new HashMap<>(withoutNulls(params))), now, status);
    calls.add(c);
    return c;
  }

  private static Map<String, String> withoutNulls(Map<String, String> m) {
    Map<String, String> out = new HashMap<>();
    m.forEach(
        (k, v) -> {
          if (v != null) {
            out.put(k, v);
          }
        });
    return out;
  }

  private synchronized JsonObject postMessage(Call c) {
    String channel = c.param("channel");
    if (missing.contains(channel)) {
      return new JsonObject().put("ok", false).put("error", "channel_not_found");
    }
    List<String> invalid = SlackBlocks.errors(c.params().get("blocks"));
    if (!invalid.isEmpty()) {
      return new JsonObject()
          .put("ok", false)
          .put("error", "invalid_blocks")
          .put("errors", new JsonArray(invalid));
    }
    String id = channelId(channel);
    // Slack's ts: the posting time in seconds with microseconds, unique per channel
    long micros = Math.max(System.currentTimeMillis() * 1000, lastTsMicros + 1);
    lastTsMicros = micros;
    String ts = String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    String metadata = c.param("metadata");
    Message m =
        new Message(
            id,
            ts,
            metadata == null || metadata.isEmpty() ? null : new JsonObject(metadata).encode());
    m.texts.add(c.param("text"));
    m.blocks.add(c.params().getOrDefault("blocks", ""));
    messages.put(id + "/" + ts, m);
    return new JsonObject()
        .put("ok", true)
        .put("channel", id)
        .put("ts", ts)
        .put("message", new JsonObject().put("text", c.param("text")).put("ts", ts));
  }

  private synchronized JsonObject update(Call c) {
    Message m = messages.get(channelId(c.param("channel")) + "/" + c.param("ts"));
    if (m == null) {
      return new JsonObject().put("ok", false).put("error", "message_not_found");
    }
    List<String> invalid = SlackBlocks.errors(c.params().get("blocks"));
    if (!invalid.isEmpty()) {
      return new JsonObject()
          .put("ok", false)
          .put("error", "invalid_blocks")
          .put("errors", new JsonArray(invalid));
    }
    synchronized (m) {
      m.texts.add(c.param("text"));
      m.blocks.add(c.params().getOrDefault("blocks", ""));
    }
    return new JsonObject()
        .put("ok", true)
        .put("channel", m.channelId)
        .put("ts", m.ts)
        .put("text", c.param("text"));
  }

  private synchronized JsonObject history(Call c) {
    if (!historyScope) {
      return new JsonObject()
          .put("ok", false)
          .put("error", "missing_scope")
          .put("needed", "channels:history")
          .put("provided", "chat:write");
    }
    String channel = c.param("channel");
    // like Slack: an id, not a name
    if (channel == null
        || !channelNames.containsKey(channel)
        || missing.contains(channelNames.get(channel))) {
      return new JsonObject().put("ok", false).put("error", "channel_not_found");
    }
    BigDecimal oldest = new BigDecimal(c.param("oldest") == null ? "0" : c.param("oldest"));
    int limit = c.param("limit") == null ? 100 : Math.min(Integer.parseInt(c.param("limit")), 999);
    boolean withMetadata =
        "true".equals(c.param("include_all_metadata"))
            || "1".equals(c.param("include_all_metadata"));
    List<Message> inChannel =
        new ArrayList<>(
            messages.values().stream()
                .filter(
                    m -> m.channelId.equals(channel) && new BigDecimal(m.ts).compareTo(oldest) > 0)
                .toList());
    Collections.reverse(inChannel);
    JsonArray out = new JsonArray();
    for (Message m : inChannel.subList(0, Math.min(limit, inChannel.size()))) {
      JsonObject j =
          new JsonObject()
              .put("type", "message")
              .put("ts", m.ts)
              .put("text", m.text())
              .put("bot_id", "B0VIGIL");
      if (withMetadata && m.metadata != null) {
        j.put("metadata", new JsonObject(m.metadata));
      }
      out.add(j);
    }
    return new JsonObject()
        .put("ok", true)
        .put("messages", out)
        .put("has_more", inChannel.size() > limit);
  }

  /** Slack's id for a channel name ({@code #ops-eu} → {@code C...}); ids map to themselves. */
  public synchronized String channelId(String channel) {
    if (channelNames.containsKey(channel)) {
      return channel;
    }
    return channelIds.computeIfAbsent(
        channel,
        n -> {
          String id = "C" + String.format("%08X", n.hashCode());
          channelNames.put(id, n);
          return id;
        });
  }

  /** Messages in a channel (name or id), in posting order. */
  public synchronized List<Message> messages(String channel) {
    String id = channelId(channel);
    return messages.values().stream().filter(m -> m.channelId.equals(id)).toList();
  }

  /** Every call, in order. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Calls of one method to one channel (name or id), in order, 429s included. */
  public synchronized List<Call> calls(String method, String channel) {
    String id = channelId(channel);
    return calls.stream()
        .filter(
            c ->
                c.method().equals(method)
                    && c.param("channel") != null
                    && channelId(c.param("channel")).equals(id))
        .toList();
  }

  public synchronized long rateLimited() {
    return calls.stream().filter(c -> c.status() == 429).count();
  }

  /** The text of every block of a message's last version, for assertions. */
  public static String blockText(Message m) {
    String blocks = m.blocks();
    return blocks == null || blocks.isEmpty() ? "" : new JsonArray(blocks).encode();
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
