package dev.vigil.slack;

import dev.vigil.config.Secret;
import dev.vigil.web.SeenRequests;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a request comes from Slack: {@code X-Slack-Signature} must be {@code v0=} and the hex
 * HMAC-SHA256 of {@code v0:{timestamp}:{raw body}} under the signing secret, compared in constant
 * time over the raw bytes, and {@code X-Slack-Request-Timestamp} must be within five minutes of the
 * injected clock in either direction; a request accepted once is refused if it comes again (the
 * SDK's verifier accepts any future timestamp and compares strings with {@code equals}, so it is
 * not used). Thread-safe.
 */
public final class RequestVerifier {
  public static final String TIMESTAMP = "X-Slack-Request-Timestamp";
  public static final String SIGNATURE = "X-Slack-Signature";
  static final Duration TOLERANCE = Duration.ofMinutes(5);

  /**
   * Why a request was refused; the wire form is the metric label. It is never sent to the caller.
   */
  public enum Rejection {
    NOT_CONFIGURED,
    MISSING_HEADER,
    MALFORMED_TIMESTAMP,
    STALE,
    FUTURE,
    BAD_SIGNATURE,
    REPLAYED;

    public String wire() {
      return name().toLowerCase();
    }
  }

  private final Secret secret;
  private final Clock clock;

  /**
   * Signatures accepted within the tolerance, until they could no longer pass the timestamp check.
   */
  private final SeenRequests seen;

  /**
   * @param seen where accepted signatures are remembered: the store, so restarts and replicas share
   *     it
   */
  public RequestVerifier(Secret secret, Clock clock, SeenRequests seen) {
    this.secret = secret;
    this.clock = clock;
    this.seen = seen;
  }

  /** A verifier whose replay memory lives in this process only (tools and tests). */
  public RequestVerifier(Secret secret, Clock clock) {
    this(secret, clock, SeenRequests.inMemory(clock));
  }

  /**
   * Empty when the request is genuine, fresh and not seen before (it is then remembered until its
   * timestamp leaves the window); otherwise why it is refused. Fails when the replay memory cannot
   * be asked: the caller refuses the request.
   */
  public Future<Optional<Rejection>> verify(String timestamp, String signature, byte[] rawBody) {
    Optional<Rejection> why = check(timestamp, signature, rawBody);
    if (why.isPresent()) {
      return Future.succeededFuture(why);
    }
    // The five minutes let a captured request be sent again; Slack never sends the same signed
    // request twice.
    Instant until = Instant.ofEpochSecond(Long.parseLong(timestamp)).plus(TOLERANCE);
    return seen.firstSighting(signature, until)
        .map(first -> first ? Optional.<Rejection>empty() : Optional.of(Rejection.REPLAYED));
  }

  /**
   * Empty when the request is genuine and fresh (signature and timestamp; {@link #verify} also
   * refuses replays).
   */
  public Optional<Rejection> check(String timestamp, String signature, byte[] rawBody) {
    if (secret.isEmpty()) {
      return Optional.of(Rejection.NOT_CONFIGURED);
    }
    if (timestamp == null || signature == null || timestamp.isEmpty() || signature.isEmpty()) {
      return Optional.of(Rejection.MISSING_HEADER);
    }
    long ts;
    try {
      ts = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return Optional.of(Rejection.MALFORMED_TIMESTAMP);
    }
    long now = clock.instant().getEpochSecond();
    // compared with the bounds, never subtracted from: now - ts overflows for ts near now - 2^63
    // and would pass as fresh
    if (ts < now - TOLERANCE.toSeconds()) {
      return Optional.of(Rejection.STALE);
    }
    if (ts > now + TOLERANCE.toSeconds()) {
      return Optional.of(Rejection.FUTURE);
    }
    byte[] expected = sign(secret.reveal(), timestamp, rawBody).getBytes(StandardCharsets.US_ASCII);
    byte[] given = signature.getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, given)) {
      return Optional.of(Rejection.BAD_SIGNATURE);
    }
    return Optional.empty();
  }

  /**
   * {@code v0=} and the lower-case hex HMAC-SHA256 of {@code v0:{timestamp}:{body}}, as Slack
   * computes it.
   */
  public static String sign(String secret, String timestamp, byte[] rawBody) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
      return "v0=" + HexFormat.of().formatHex(mac.doFinal(rawBody));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}
