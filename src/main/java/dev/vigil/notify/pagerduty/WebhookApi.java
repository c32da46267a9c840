package dev.vigil.notify.pagerduty;

import dev.vigil.config.Secret;
import dev.vigil.web.BadRequest;
import dev.vigil.web.BodyBudget;
import dev.vigil.web.UnverifiedBody;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/integrations/pagerduty}: PagerDuty v3 webhook deliveries, authenticated by
 * their signature (not a Bearer token). Order for every request: read the raw body (at most {@link
 * #BODY_LIMIT}, against the unauthenticated byte budget), verify {@code X-PagerDuty-Signature}
 * against every configured secret ({@code pagerduty.webhookSecrets}; 401 {@code unauthorized} with
 * no detail otherwise, counted in {@code vigil_pagerduty_webhooks_rejected_total{reason}}; with no
 * secret configured every request is refused so), and only then parse it (400 naming the field) and
 * apply it ({@link WebhookReceiver}): 200 {@code {"outcome": ...}}, counted in {@code
 * vigil_pagerduty_webhooks_total{type,outcome}}; 503 when the store failed, so PagerDuty retries.
 * Handlers run on an event loop and never block.
 */
public final class WebhookApi {
  private static final Logger log = LoggerFactory.getLogger(WebhookApi.class);
  public static final String PATH = "/api/v1/integrations/pagerduty";

  /** PagerDuty's deliveries are a few KiB; a long note stays well below this. */
  public static final long BODY_LIMIT = 256 * 1024;

  private final WebhookReceiver receiver;
  private final List<Secret> secrets;
  private final BodyBudget budget;
  private final MeterRegistry metrics;

  public WebhookApi(
      WebhookReceiver receiver, List<Secret> secrets, BodyBudget budget, MeterRegistry metrics) {
    this.receiver = receiver;
    this.secrets = List.copyOf(secrets);
    this.budget = budget;
    this.metrics = metrics;
    for (Webhooks.Rejection r : Webhooks.Rejection.values()) {
      rejected(r.wire()); // every series exists from the start, at zero
    }
  }

  /**
   * Declares the route on {@code router}: before {@code /api/*}'s body handler and token check,
   * which it does not use.
   */
  public void mount(Router router) {
    router
        .post(PATH)
        .handler(new UnverifiedBody(budget, BODY_LIMIT, () -> rejected("busy").increment()));
    router.post(PATH).handler(this::verify);
    router.post(PATH).handler(this::receive);
  }

  private Counter rejected(String reason) {
    return Counter.builder("vigil_pagerduty_webhooks_rejected_total")
        .description("PagerDuty webhook deliveries refused before being read")
        .tag("reason", reason)
        .register(metrics);
  }

  private void count(String type, String outcome) {
    Counter.builder("vigil_pagerduty_webhooks_total")
        .description("PagerDuty webhook events received, by what became of them")
        .tag("type", WebhookReceiver.TYPES.contains(type) ? type : "other")
        .tag("outcome", outcome)
        .register(metrics)
        .increment();
  }

  /** The signature, over the raw bytes, before anything reads the body. */
  private void verify(RoutingContext ctx) {
    Optional<Webhooks.Rejection> why =
        Webhooks.verify(
            ctx.request().getHeader(Webhooks.SIGNATURE), UnverifiedBody.bytes(ctx), secrets);
    if (why.isPresent()) {
      rejected(why.get().wire()).increment();
      log.atWarn()
          .addKeyValue("integration", "pagerduty")
          .addKeyValue("reason", why.get().wire())
          .addKeyValue("remote", String.valueOf(ctx.request().remoteAddress()))
          .log("pagerduty: webhook refused ({})", why.get().wire());
      ctx.response()
          .setStatusCode(401)
          .putHeader("Content-Type", "application/json")
          .end("{\"error\":\"unauthorized\"}");
      return;
    }
    ctx.next();
  }

  private void receive(RoutingContext ctx) {
    Webhooks.Event event;
    try {
      event = Webhooks.parse(UnverifiedBody.bytes(ctx));
    } catch (BadRequest e) {
      count("other", "bad_request");
      ctx.response()
          .setStatusCode(400)
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", e.getMessage()).encode());
      return;
    }
    receiver
        .receive(event)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                log.atError()
                    .setCause(ar.cause())
                    .addKeyValue("integration", "pagerduty")
                    .log(
                        "pagerduty: webhook event {} ({}) could not be applied, PagerDuty will retry: {}",
                        event.id(),
                        event.type(),
                        ar.cause().getMessage());
                ctx.response()
                    .setStatusCode(503)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Retry-After", "5")
                    .end(
                        "{\"error\":\"the store is unavailable; nothing was applied, retry later\"}");
                return;
              }
              count(event.type(), ar.result().wire());
              if (ar.result() == WebhookReceiver.Outcome.IN_PROGRESS) {
                ctx.response()
                    .setStatusCode(503)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Retry-After", "30")
                    .end(
                        new JsonObject()
                            .put("outcome", ar.result().wire())
                            .put(
                                "error",
                                "an earlier delivery of this event is being applied; retry later")
                            .encode());
                return;
              }
              ctx.json(new JsonObject().put("outcome", ar.result().wire()));
            });
  }
}
