package dev.vigil.slack;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.web.BodyBudget;
import dev.vigil.web.UnverifiedBody;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /slack/commands} and {@code POST /slack/interactions}. Order for every request: read
 * the raw body (at most {@link #BODY_LIMIT}), verify the signature and timestamp (401 with no
 * detail otherwise, counted in {@code vigil_slack_requests_rejected_total{reason}}), and only then
 * parse it.
 *
 * <p>Commands answer within Slack's three seconds: slow ones ({@link Command#slow()}) answer
 * "working on it" at once and post the result to the response_url; the others answer in the HTTP
 * response, unless they take longer than {@link #replyWithin} ms, when they too fall back to
 * "working on it" and the response_url. Button clicks are acknowledged at once with an empty 200;
 * the action follows, then the clicked message is updated in place (or, on a refusal, the clicker
 * alone is told why).
 *
 * <p>Handlers run on an event loop and never block.
 */
public final class SlackApi {
  private static final Logger log = LoggerFactory.getLogger(SlackApi.class);

  /**
   * Slack's own payloads are a few KiB; a message with many blocks in an interaction stays well
   * below this.
   */
  public static final long BODY_LIMIT = 256 * 1024;

  private final Vertx vertx;
  private final RequestVerifier verifier;
  private final CommandParser parser;
  private final Responder responder;
  private final ResponseUrls responseUrls;
  private final MessageUpdater messages;
  private final IncidentStore incidents;
  private final MeterRegistry metrics;
  private final long replyWithin;
  private final BodyBudget budget;

  /**
   * @param replyWithin how long a quick command may take before it answers "working on it" instead
   *     (ms; below Slack's 3000 with room for the network)
   */
  public SlackApi(
      Vertx vertx,
      RequestVerifier verifier,
      Responder responder,
      ResponseUrls responseUrls,
      MessageUpdater messages,
      IncidentStore incidents,
      MeterRegistry metrics,
      Clock clock,
      long replyWithin) {
    this(
        vertx,
        verifier,
        responder,
        responseUrls,
        messages,
        incidents,
        metrics,
        clock,
        replyWithin,
        new BodyBudget(Long.MAX_VALUE / 2));
  }

  /**
   * @param budget bytes of unverified requests held at once, shared with every listener
   */
  public SlackApi(
      Vertx vertx,
      RequestVerifier verifier,
      Responder responder,
      ResponseUrls responseUrls,
      MessageUpdater messages,
      IncidentStore incidents,
      MeterRegistry metrics,
      Clock clock,
      long replyWithin,
      BodyBudget budget) {
    this.budget = budget;
    this.vertx = vertx;
    this.verifier = verifier;
    this.parser = new CommandParser(clock);
    this.responder = responder;
    this.responseUrls = responseUrls;
    this.messages = messages;
    this.incidents = incidents;
    this.metrics = metrics;
    this.replyWithin = replyWithin;
    for (RequestVerifier.Rejection r : RequestVerifier.Rejection.values()) {
      rejected(r); // every series exists from the start, at zero
    }
  }

  /** Declares the two routes, with their own body limit, on {@code router}. */
  public void mount(Router router) {
    // Not BodyHandler: it would decode the form on the way, and Vert.x's form decoder fails on a
    // field
    // above 8 KiB, which an interaction's payload (it carries the whole message) easily is.
    router
        .post("/slack/*")
        .handler(
            new UnverifiedBody(
                budget,
                BODY_LIMIT,
                () ->
                    Counter.builder("vigil_slack_requests_rejected_total")
                        .description("Slack requests refused before being read")
                        .tag("reason", "busy")
                        .register(metrics)
                        .increment()));
    router.post("/slack/*").handler(this::verify);
    router.post("/slack/commands").handler(this::command);
    router.post("/slack/interactions").handler(this::interaction);
  }

  private Counter rejected(RequestVerifier.Rejection reason) {
    return Counter.builder("vigil_slack_requests_rejected_total")
        .description("Slack requests refused before being read")
        .tag("reason", reason.wire())
        .register(metrics);
  }

  private void count(String command, String outcome) {
    Counter.builder("vigil_slack_commands_total")
        .description("Slack commands and button clicks handled")
        .tag("command", command)
        .tag("outcome", outcome)
        .register(metrics)
        .increment();
  }

  private static String raw(RoutingContext ctx) {
    return new String(UnverifiedBody.bytes(ctx), StandardCharsets.UTF_8);
  }

  /** Signature and timestamp, over the raw bytes, before anything reads the body. */
  private void verify(RoutingContext ctx) {
    byte[] bytes = UnverifiedBody.bytes(ctx);
    verifier
        .verify(
            ctx.request().getHeader(RequestVerifier.TIMESTAMP),
            ctx.request().getHeader(RequestVerifier.SIGNATURE),
            bytes)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                // the replay memory is in the store: without it a replay cannot be told apart, so
                // the request is refused
                log.atError()
                    .addKeyValue("remote", String.valueOf(ctx.request().remoteAddress()))
                    .log(
                        "slack: request refused: the replay memory in the store cannot be asked: {}",
                        ar.cause().getMessage());
                ctx.response()
                    .setStatusCode(503)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Retry-After", "1")
                    .end("{\"error\":\"store unavailable\"}");
                return;
              }
              Optional<RequestVerifier.Rejection> why = ar.result();
              if (why.isPresent()) {
                rejected(why.get()).increment();
                log.atWarn()
                    .addKeyValue("reason", why.get().wire())
                    .addKeyValue("remote", String.valueOf(ctx.request().remoteAddress()))
                    .log("slack: request refused ({})", why.get().wire());
                ctx.response()
                    .setStatusCode(401)
                    .putHeader("Content-Type", "application/json")
                    .end("{\"error\":\"unauthorized\"}");
                return;
              }
              ctx.next();
            });
  }

  private void command(RoutingContext ctx) {
    Map<String, String> form = form(raw(ctx));
    String user = form.getOrDefault("user_id", "");
    String responseUrl = form.get("response_url");
    if (user.isEmpty()) {
      count("unknown", "usage");
      ctx.json(
          Reply.toCaller("this request names no user_id, so Vigil cannot tell who is acting")
              .json());
      return;
    }
    if (responseUrl != null) {
      responseUrls.received(responseUrl);
    }
    Command c;
    try {
      c = parser.parse(form.getOrDefault("text", ""));
    } catch (Usage u) {
      count("unknown", "usage");
      ctx.json(Reply.toCaller(u.getMessage()).json());
      return;
    }
    Actor actor = new Actor(user);
    log.atInfo()
        .addKeyValue("user", user)
        .addKeyValue("command", c.name())
        .log("slack: /vigil {} by {}", c.name(), actor.by());
    Future<Reply> result =
        responder
            .execute(c, actor)
            .recover(
                e -> {
                  log.atError()
                      .setCause(e)
                      .addKeyValue("user", user)
                      .log("slack: /vigil {} failed: {}", c.name(), e.getMessage());
                  return Future.succeededFuture(
                      Reply.toCaller(
                          "`/vigil "
                              + c.name()
                              + "` failed: internal error ("
                              + e.getClass().getSimpleName()
                              + "); see the Vigil log"));
                });
    result.onSuccess(r -> count(c.name(), r.inChannel() ? "ok" : "answered"));
    // Whichever comes first: the result (answered in the response) or the deadline ("working on
    // it", result to response_url).
    AtomicBoolean answered = new AtomicBoolean();
    long timer =
        c.slow()
            ? -1
            : vertx.setTimer(
                replyWithin,
                id -> {
                  if (answered.compareAndSet(false, true)) {
                    working(ctx, c);
                    result.onSuccess(r -> toResponseUrl(responseUrl, r, c));
                  }
                });
    if (c.slow()) {
      answered.set(true);
      working(ctx, c);
      result.onSuccess(r -> toResponseUrl(responseUrl, r, c));
      return;
    }
    result.onSuccess(
        r -> {
          if (answered.compareAndSet(false, true)) {
            vertx.cancelTimer(timer);
            ctx.json(r.json());
          }
        });
  }

  private static void working(RoutingContext ctx, Command c) {
    ctx.json(Reply.toCaller("Working on `/vigil " + c.name() + "`…").json());
  }

  private void toResponseUrl(String url, Reply r, Command c) {
    responseUrls
        .post(url, r.json())
        .onFailure(
            e ->
                log.atWarn()
                    .addKeyValue("command", c.name())
                    .log(
                        "slack: the answer to /vigil {} could not be posted to its response_url: {}",
                        c.name(),
                        e.getMessage()));
  }

  private void interaction(RoutingContext ctx) {
    Object decoded;
    try {
      decoded = Json.decodeValue(form(raw(ctx)).getOrDefault("payload", ""));
    } catch (DecodeException e) {
      decoded = null;
    }
    if (!(decoded instanceof JsonObject payload)) {
      badPayload(ctx, "payload: not a JSON object");
      return;
    }
    if (!"block_actions".equals(payload.getValue("type"))) {
      ctx.response().setStatusCode(200).end(); // other interaction types are not used by Vigil
      return;
    }
    Optional<String> user = text(payload, "user", "id").filter(u -> !u.isEmpty());
    Optional<String> actionId = text(payload, "actions", 0, "action_id");
    if (user.isEmpty() || actionId.isEmpty()) {
      badPayload(ctx, "payload: a block_actions payload needs user.id and actions[0].action_id");
      return;
    }
    // Slack wants the acknowledgement within three seconds; the work and its outcome follow through
    // the response_url.
    ctx.response().setStatusCode(200).end();
    String responseUrl = text(payload, "response_url").orElse(null);
    if (responseUrl != null) {
      responseUrls.received(responseUrl);
    }
    String channel =
        text(payload, "channel", "id")
            .or(() -> text(payload, "container", "channel_id"))
            .orElse("");
    String ts =
        text(payload, "container", "message_ts")
            .or(() -> text(payload, "message", "ts"))
            .orElse("");
    Interaction click = new Interaction(channel, ts, responseUrl);
    click(
        new Actor(user.get()),
        actionId.get(),
        text(payload, "actions", 0, "value").orElse(""),
        click);
  }

  private static void badPayload(RoutingContext ctx, String error) {
    ctx.response()
        .setStatusCode(400)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error).encode());
  }

  /**
   * The string at {@code path} (object keys, or list indexes) in a payload, or empty when a step is
   * missing or of another type: a payload is read as far as it makes sense, never cast blindly.
   */
  static Optional<String> text(JsonObject root, Object... path) {
    Object at = root;
    for (Object step : path) {
      if (step instanceof String key && at instanceof JsonObject o) {
        at = o.getValue(key);
      } else if (step instanceof Integer i && at instanceof JsonArray a && i < a.size()) {
        at = a.getValue(i);
      } else {
        return Optional.empty();
      }
    }
    return at instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /**
   * A button: the same command as typed, then the message updated in place, or the clicker told why
   * not.
   */
  private void click(Actor actor, String actionId, String value, Interaction click) {
    Command c;
    try {
      c =
          switch (actionId) {
            case "ack", "acknowledge", IncidentMessage.ACKNOWLEDGE -> parser.parse("ack " + value);
            case "resolve", IncidentMessage.RESOLVE -> parser.parse("resolve " + value);
            case "run", "run_runbook" -> parser.parse("run " + value);
            case "approve" -> parser.parse("approve " + value);
            case "reject" -> parser.parse("reject " + value);
            default -> throw new Usage("this button (" + actionId + ") is not one Vigil knows");
          };
    } catch (Usage u) {
      count("button", "usage");
      tellClicker(click, u.getMessage());
      return;
    }
    log.atInfo()
        .addKeyValue("user", actor.userId())
        .addKeyValue("command", c.name())
        .log("slack: button {} by {}", actionId, actor.by());
    Command command = c;
    responder
        .execute(command, actor)
        .compose(
            reply -> {
              if (!reply
                  .inChannel()) { // refused or not applicable: only the clicker hears why, the
                // message stays
                count("button:" + command.name(), "refused");
                return tellClicker(click, reply.text());
              }
              count("button:" + command.name(), "ok");
              if (command instanceof Command.Approve || command instanceof Command.Reject) {
                return messages.approvalDecided(click, reply.text());
              }
              if (command instanceof Command.Run r) {
                return refresh(r.incident(), click);
              }
              return refresh(incidentOf(command), click);
            })
        .onFailure(
            e ->
                log.atError()
                    .setCause(e)
                    .addKeyValue("user", actor.userId())
                    .log("slack: button {} failed: {}", actionId, e.getMessage()));
  }

  private static IncidentId incidentOf(Command c) {
    if (c instanceof Command.Ack a) {
      return a.incident();
    }
    return ((Command.Resolve) c).incident();
  }

  private Future<Void> refresh(IncidentId id, Interaction click) {
    return incidents
        .get(id)
        .compose(
            found ->
                found
                    .map(inc -> messages.incidentChanged(click, inc))
                    .orElseGet(Future::succeededFuture));
  }

  private Future<Void> tellClicker(Interaction click, String text) {
    return responseUrls.post(
        click.responseUrl(),
        new JsonObject()
            .put("response_type", "ephemeral")
            .put("replace_original", false)
            .put("text", text));
  }

  /**
   * {@code application/x-www-form-urlencoded}, decoded here from the verified raw bytes (the last
   * of a repeated key wins).
   */
  static Map<String, String> form(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.put(
            URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // a malformed escape in one field: the field is left out, and the command says what is
        // missing
      }
    }
    return out;
  }
}
