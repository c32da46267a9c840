package dev.vigil.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.AsyncMethodsClient;
import com.slack.api.methods.MethodsCompletionException;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.model.Message;
import com.slack.api.model.block.LayoutBlock;
import dev.vigil.incident.IncidentId;
import dev.vigil.notify.Circuit;
import dev.vigil.notify.DeliveryException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The Slack Web API calls Vigil makes, {@code chat.postMessage} and {@code chat.update} (and, only
 * when a post may have been lost in a crash, {@code conversations.history}: ADR 0110), through
 * slack-api-client's {@code methodsAsync} and the Slack {@link Circuit}. No event loop ever waits
 * on OkHttp: each call is started on a worker thread (the SDK may block while starting one, see
 * {@link #call}) and its future is bridged back to the caller's Vert.x context.
 *
 * <p>The SDK retries a 429 by itself after {@code Retry-After}; {@code maxWaitMillis} bounds how
 * long it may hold one call doing that (its default is an hour), after which the call fails as
 * transient and the outbox retries it later. {@code ok:false} answers are permanent ({@code
 * channel_not_found}, {@code not_in_channel}, {@code invalid_auth}, ...) except Slack's own
 * transient ones.
 */
public final class SlackClient implements AutoCloseable {
  private static final Set<String> TRANSIENT =
      Set.of(
          "ratelimited",
          "internal_error",
          "fatal_error",
          "service_unavailable",
          "request_timeout",
          "team_added_to_org");

  /** The metadata {@code event_type} of an incident's message; its payload names the incident. */
  public static final String EVENT_TYPE = "vigil_incident";

  static final String PAYLOAD_INCIDENT = "incident";

  /** How many of a channel's latest messages {@link #findIncidentMessage} looks through. */
  static final int HISTORY_LIMIT = 100;

  /** Where a posted message is: Slack's channel id and the message's ts. */
  public record Posted(String channelId, String ts) {}

  private final Vertx vertx;
  private final Slack slack;
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private final AsyncMethodsClient methods;
  private final Circuit circuit;

  /**
   * @param apiUrl the Web API prefix, {@code https://slack.com/api/} ({@code slack.apiUrl})
   * @param maxWaitMillis the longest the SDK may queue or retry one call
   */
  public SlackClient(
      Vertx vertx,
      String apiUrl,
      String botToken,
      Circuit circuit,
      int callTimeoutMillis,
      int maxWaitMillis) {
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
    config.setHttpClientCallTimeoutMillis(callTimeoutMillis);
    config.setHttpClientReadTimeoutMillis(callTimeoutMillis);
    config.setHttpClientWriteTimeoutMillis(callTimeoutMillis);
    config.setFailOnUnknownProperties(false);
    // the async client's rate limiter learns Retry-After through its stats: they must stay on
    config.getMethodsConfig().setMaxIdleMills(maxWaitMillis);
    // The SDK keeps its rate-limit queues in a JVM-wide store keyed by executor name and team: a
    // name
    // per client keeps one daemon's waits (another daemon in the same JVM, as in tests) out of
    // another's.
    config.getMethodsConfig().setExecutorName("vigil-slack-" + INSTANCES.incrementAndGet());
    this.vertx = vertx;
    this.slack = Slack.getInstance(config);
    this.methods = slack.methodsAsync(botToken);
    this.circuit = circuit;
  }

  public Future<Posted> post(String channel, String text, List<LayoutBlock> blocks) {
    return post(channel, text, blocks, null);
  }

  /**
   * Posts a message; with {@code incident}, the message carries metadata naming it ({@code
   * event_type} {@value #EVENT_TYPE}), so that {@link #findIncidentMessage} can find it again.
   */
  public Future<Posted> post(
      String channel, String text, List<LayoutBlock> blocks, IncidentId incident) {
    String what = "chat.postMessage to " + channel;
    Message.Metadata metadata =
        incident == null
            ? null
            : Message.Metadata.builder()
                .eventType(EVENT_TYPE)
                .eventPayload(Map.of(PAYLOAD_INCIDENT, incident.toString()))
                .build();
    return call(
            what,
            () ->
                methods.chatPostMessage(
                    r -> {
                      r.channel(channel).text(text).blocks(blocks).unfurlLinks(false);
                      return metadata == null ? r : r.metadata(metadata);
                    }))
        .map(r -> new Posted(r.getChannel() == null ? channel : r.getChannel(), r.getTs()));
  }

  /**
   * Looks in the channel's messages since {@code oldest} (newest first, at most {@value
   * #HISTORY_LIMIT}) for the incident's message, by the metadata {@link #post} gave it. Needs the
   * channel's id and the {@code channels:history} scope ({@code groups:history} for private
   * channels); fails like the other calls otherwise ({@code missing_scope}, {@code
   * channel_not_found}, ...).
   */
  public Future<Optional<Posted>> findIncidentMessage(
      String channelId, IncidentId incident, Instant oldest) {
    String what = "conversations.history of " + channelId;
    String since = String.format("%d.%06d", oldest.getEpochSecond(), oldest.getNano() / 1000);
    return call(
            what,
            () ->
                methods.conversationsHistory(
                    r ->
                        r.channel(channelId)
                            .oldest(since)
                            .limit(HISTORY_LIMIT)
                            .includeAllMetadata(true)))
        .map(
            r ->
                (r.getMessages() == null ? List.<Message>of() : r.getMessages())
                    .stream()
                        .filter(
                            m ->
                                m.getMetadata() != null
                                    && EVENT_TYPE.equals(m.getMetadata().getEventType())
                                    && m.getMetadata().getEventPayload() != null
                                    && incident
                                        .toString()
                                        .equals(
                                            String.valueOf(
                                                m.getMetadata()
                                                    .getEventPayload()
                                                    .get(PAYLOAD_INCIDENT))))
                        .findFirst()
                        .map(m -> new Posted(channelId, m.getTs())));
  }

  public Future<Void> update(String channelId, String ts, String text, List<LayoutBlock> blocks) {
    String what = "chat.update of " + ts + " in " + channelId;
    return call(
            what,
            () -> methods.chatUpdate(r -> r.channel(channelId).ts(ts).text(text).blocks(blocks)))
        .mapEmpty();
  }

  private <T extends SlackApiTextResponse> Future<T> call(
      String what, Supplier<CompletableFuture<T>> request) {
    return circuit.call(
        what,
        () -> {
          Context context = vertx.getOrCreateContext();
          // The SDK's async methods are not all asynchronous: the first call with a token resolves
          // its team with a blocking auth.test on the calling thread (and again after a failure).
          // They are therefore started on a worker, unordered, never on an event loop.
          return vertx
              .executeBlocking(request::get, false)
              .compose(cf -> Future.fromCompletionStage(cf, context))
              .transform(
                  ar -> {
                    if (ar.failed()) {
                      return Future.failedFuture(failure(what, ar.cause()));
                    }
                    T r = ar.result();
                    if (r.isOk()) {
                      return Future.succeededFuture(r);
                    }
                    String error = r.getError() == null ? "unknown error" : r.getError();
                    String message = "slack: " + what + " failed: " + error;
                    return Future.failedFuture(
                        TRANSIENT.contains(error)
                            ? DeliveryException.transientFailure(message)
                            : DeliveryException.permanentFailure(message));
                  });
        });
  }

  private static DeliveryException failure(String what, Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof MethodsCompletionException m) {
      if (m.getSlackApiException() != null) {
        c = m.getSlackApiException();
      } else if (m.getIoException() != null) {
        c = m.getIoException();
      } else if (m.getOtherException() != null) {
        c = m.getOtherException();
      }
    }
    if (c instanceof SlackApiException s) {
      int code = s.getResponse().code();
      String base = "slack: " + what + ": HTTP " + code;
      // 429: the SDK waited out Retry-After until its bound; 5xx: Slack is struggling. Both may
      // pass.
      return code == 429 || code >= 500
          ? DeliveryException.transientFailure(base)
          : DeliveryException.permanentFailure(base);
    }
    String m = c.getMessage();
    return DeliveryException.transientFailure(
        "slack: " + what + ": " + (m == null || m.isBlank() ? c.getClass().getSimpleName() : m));
  }

  @Override
  public void close() {
    try {
      slack.close();
    } catch (Exception ignored) {
      // closing OkHttp's pools; nothing to do about a failure at shutdown
    }
  }
}
