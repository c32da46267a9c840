package dev.vigil.slack;

import dev.vigil.incident.Incident;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Posts delayed answers to a request's {@code response_url}, keeping Slack's rules: at most five
 * uses within thirty minutes of the request. A use beyond them fails (and is logged by the caller)
 * rather than being sent to be refused. Only Slack's own hosts are posted to ({@code
 * https://hooks.slack.com/}, {@code https://hooks.slack-gov.com/}, or the origin of {@code
 * slack.apiUrl} when it points elsewhere, as in tests): a response_url is signed with the request,
 * but if the signing secret ever leaked, Vigil still would not be made to post incident details to
 * any other host. Thread-safe; never blocks.
 */
public final class ResponseUrls {
  static final int MAX_USES = 5;
  static final Duration VALIDITY = Duration.ofMinutes(30);
  private static final long TIMEOUT_MS = 10_000;

  private record Uses(Instant first, int count) {}

  private final WebClient client;
  private final Clock clock;
  private final Map<String, Uses> uses = new ConcurrentHashMap<>();

  private final List<String> origins;

  /**
   * @param apiUrl {@code slack.apiUrl}: its origin is accepted besides Slack's hooks hosts
   */
  public ResponseUrls(WebClient client, Clock clock, String apiUrl) {
    this.client = client;
    this.clock = clock;
    List<String> o =
        new ArrayList<>(List.of("https://hooks.slack.com/", "https://hooks.slack-gov.com/"));
    URI api = URI.create(apiUrl);
    if (api.getScheme() != null && api.getRawAuthority() != null) {
      o.add(api.getScheme() + "://" + api.getRawAuthority() + "/");
    }
    this.origins = List.copyOf(o);
  }

  /** Starts the thirty minutes of a response_url: call when the request that carries it arrives. */
  void received(String url) {
    Instant now = clock.instant();
    uses.entrySet().removeIf(e -> !now.isBefore(e.getValue().first().plus(VALIDITY)));
    uses.putIfAbsent(url, new Uses(now, 0));
  }

  /**
   * Posts {@code message} to {@code url}; fails when the url is used up, expired, or Slack does not
   * take it.
   */
  public Future<Void> post(String url, JsonObject message) {
    if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
      return Future.failedFuture(new IllegalArgumentException("no usable response_url"));
    }
    if (origins.stream().noneMatch(url::startsWith)) {
      return Future.failedFuture(
          new NotSlack(
              "response_url "
                  + url
                  + " is not on Slack ("
                  + String.join(", ", origins)
                  + "): not posted"));
    }
    Instant now = clock.instant();
    Uses after =
        uses.compute(
            url,
            (k, u) -> {
              Uses base = u == null ? new Uses(now, 0) : u;
              return new Uses(base.first(), base.count() + 1);
            });
    if (after.count() > MAX_USES) {
      return Future.failedFuture(
          new IllegalStateException("response_url used " + MAX_USES + " times already"));
    }
    if (!now.isBefore(after.first().plus(VALIDITY))) {
      return Future.failedFuture(
          new IllegalStateException(
              "response_url is older than " + VALIDITY.toMinutes() + " minutes"));
    }
    return client
        .postAbs(url)
        .timeout(TIMEOUT_MS)
        .sendJsonObject(message)
        .compose(
            resp ->
                resp.statusCode() / 100 == 2
                    ? Future.succeededFuture()
                    : Future.failedFuture(
                        new IllegalStateException(
                            "response_url answered HTTP " + resp.statusCode())));
  }

  /** A response_url Vigil will not post to: it is not on Slack. */
  public static final class NotSlack extends RuntimeException {
    NotSlack(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A {@link MessageUpdater} that replaces the clicked message through the interaction's
   * response_url.
   */
  public MessageUpdater updater() {
    return new MessageUpdater() {
      @Override
      public Future<Void> incidentChanged(Interaction click, Incident incident) {
        return post(
            click.responseUrl(),
            IncidentMessage.of(incident).replacement().put("replace_original", true));
      }

      @Override
      public Future<Void> approvalDecided(Interaction click, String text) {
        return post(
            click.responseUrl(), new JsonObject().put("replace_original", true).put("text", text));
      }
    };
  }
}
