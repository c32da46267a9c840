package dev.vigil.chatops;

import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.Escalator;
import dev.vigil.incident.IncidentStore;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;

/** Assembles the Slack endpoints from the daemon's parts; the daemon calls {@link #wire} once. */
public final class ChatOps {
  /** How long a quick command may take before it answers "working on it" (Slack waits 3000 ms). */
  static final long REPLY_WITHIN_MS = 2_000;

  /** What the commands act on, beyond the config. */
  public record Parts(IncidentStore incidents, Escalator escalator, Resolver resolver, Overrides overrides,
      RunStarter runs, Approvals approvals, MessageUpdater messages) {}

  private ChatOps() {}

  /** {@code parts.messages()} may be null: clicked messages are then updated through the interaction's response_url. */
  public static SlackApi wire(Vertx vertx, VigilConfig config, Parts parts, MeterRegistry metrics, Clock clock) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setUserAgent("vigil").setConnectTimeout(2_000));
    ResponseUrls responseUrls = new ResponseUrls(client, clock);
    Gatekeeper gate = new Gatekeeper(config.chatopsAllow(),
        new SlackUserGroups(client, config.slack().apiUrl(), config.slack().botToken(), clock));
    Responder responder = new Responder(new Responder.Deps(parts.incidents(), parts.escalator(), parts.resolver(), parts.overrides(),
        parts.runs(), parts.approvals(), gate, clock));
    MessageUpdater messages = parts.messages() == null ? responseUrls.updater() : parts.messages();
    return new SlackApi(vertx, new RequestVerifier(config.slack().signingSecret(), clock), responder, responseUrls, messages,
        parts.incidents(), metrics, clock, REPLY_WITHIN_MS);
  }
}
