package dev.vigil.slack;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Sends requests to Vigil the way Slack does: form-encoded, with X-Slack-Request-Timestamp and a v0
 * signature over the raw body.
 */
final class SignedSlack {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final String base;
  final String secret;
  final Clock clock;

  SignedSlack(String base, String secret, Clock clock) {
    this.base = base;
    this.secret = secret;
    this.clock = clock;
  }

  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** The fields of a slash command as Slack sends them. */
  static Map<String, String> command(String user, String text, String responseUrl) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("token", "deprecated");
    f.put("team_id", "T1");
    f.put("team_domain", "example");
    f.put("channel_id", "C1");
    f.put("channel_name", "ops-eu");
    f.put("user_id", user);
    f.put("user_name", "someone");
    f.put("command", "/vigil");
    f.put("text", text);
    f.put("api_app_id", "A1");
    f.put("response_url", responseUrl);
    f.put("trigger_id", "1.2.3");
    return f;
  }

  HttpResponse<String> command(String user, String text, String responseUrl, long[] elapsedMs) {
    long t0 = System.nanoTime();
    HttpResponse<String> r = signed("/slack/commands", form(command(user, text, responseUrl)));
    if (elapsedMs != null) {
      elapsedMs[0] = (System.nanoTime() - t0) / 1_000_000;
    }
    return r;
  }

  HttpResponse<String> signed(String path, String body) {
    String ts = Long.toString(clock.instant().getEpochSecond());
    return post(
        path, body, ts, RequestVerifier.sign(secret, ts, body.getBytes(StandardCharsets.UTF_8)));
  }

  HttpResponse<String> post(String path, String body, String ts, String signature) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (ts != null) {
      b.header(RequestVerifier.TIMESTAMP, ts);
    }
    if (signature != null) {
      b.header(RequestVerifier.SIGNATURE, signature);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
