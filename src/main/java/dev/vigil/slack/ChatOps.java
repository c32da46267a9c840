package dev.vigil.slack;

import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.Escalator;
import dev.vigil.incident.IncidentStore;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.web.BodyBudget;
import dev.vigil.web.SeenRequests;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.util.Optional;

/** Assembles the Slack endpoints from the daemon's parts; the daemon calls {@link #wire} once. */
public final class ChatOps {
  /** How long a quick command may take before it answers "working on it" (Slack waits 3000 ms). */
  static final long REPLY_WITHIN_MS = 2_000;

  /**
   * What the commands act on, beyond the config.
   *
   * @param slackMessages the incident messages Vigil posts; empty when Slack is off
   * @param seenRequests the replay memory of signed requests (the store's)
   */
  public record Parts(
      IncidentStore incidents,
      Escalator escalator,
      Resolver resolver,
      Overrides overrides,
      RunStarter runs,
      Approvals approvals,
      Optional<SlackMessages> slackMessages,
      SeenRequests seenRequests) {}

  private ChatOps() {}

  /**
   * Clicked incident messages that Vigil posted are updated with {@code chat.update} through {@code
   * parts.slackMessages()}; other messages, and all of them when Slack is off, through the
   * interaction's response_url.
   *
   * @param budget the bytes of unverified requests held at once ({@code
   *     server.maxUnauthenticatedBytes}), shared by every signed route
   */
  public static SlackApi wire(
      Vertx vertx,
      VigilConfig config,
      Parts parts,
      MeterRegistry metrics,
      Clock clock,
      BodyBudget budget) {
    WebClient client =
        WebClient.create(
            vertx, new WebClientOptions().setUserAgent("vigil").setConnectTimeout(2_000));
    ResponseUrls responseUrls = new ResponseUrls(client, clock, config.slack().apiUrl());
    Gatekeeper gate =
        new Gatekeeper(
            config.chatopsAllow(),
            new SlackUserGroups(client, config.slack().apiUrl(), config.slack().botToken(), clock));
    Responder responder =
        new Responder(
            new Responder.Deps(
                parts.incidents(),
                parts.escalator(),
                parts.resolver(),
                parts.overrides(),
                parts.runs(),
                parts.approvals(),
                gate,
                clock));
    MessageUpdater messages =
        parts
            .slackMessages()
            .<MessageUpdater>map(m -> new StoredMessages(m, responseUrls.updater()))
            .orElseGet(responseUrls::updater);
    return new SlackApi(
        vertx,
        new RequestVerifier(config.slack().signingSecret(), clock, parts.seenRequests()),
        responder,
        responseUrls,
        messages,
        parts.incidents(),
        metrics,
        clock,
        REPLY_WITHIN_MS,
        budget);
  }
}
