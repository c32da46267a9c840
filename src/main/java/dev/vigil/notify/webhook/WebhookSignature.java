package dev.vigil.notify.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Vigil-Signature} header of an outgoing webhook: {@code t=<unix seconds>,v1=<hex>},
 * where the hex is HMAC-SHA256, keyed with the team's webhook secret, over {@code <t>.<body>} (the
 * timestamp, a dot, the exact bytes of the body). Signing the timestamp with the body lets a
 * receiver refuse a captured request replayed later; {@code v1} names the scheme so another can be
 * added beside it (ADR 0131). Pure functions; thread-safe.
 */
public final class WebhookSignature {
  public static final String HEADER = "X-Vigil-Signature";

  private WebhookSignature() {}

  /** The header value for {@code body} sent at {@code unixSeconds}. */
  public static String header(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, unixSeconds, body));
  }

  /**
   * Whether {@code header} is a valid signature of {@code body} made with {@code secret} no more
   * than {@code toleranceSeconds} away from {@code nowSeconds}: what a receiver checks (and the
   * tests do). Any {@code v1=} value may match (a sender may list several during a secret
   * rotation); the comparison takes the same time whatever the values.
   */
  public static boolean verify(
      String secret, String header, byte[] body, long nowSeconds, long toleranceSeconds) {
    if (header == null) {
      return false;
    }
    Optional<Long> t = Optional.empty();
    List<String> candidates = new ArrayList<>();
    for (String part : header.split(",")) {
      String p = part.trim();
      if (p.startsWith("t=")) {
        try {
          t = Optional.of(Long.parseLong(p.substring(2)));
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (p.startsWith("v1=")) {
        candidates.add(p.substring(3));
      }
    }
    if (t.isEmpty() || Math.abs(nowSeconds - t.get()) > toleranceSeconds) {
      return false;
    }
    byte[] expected =
        HexFormat.of().formatHex(mac(secret, t.get(), body)).getBytes(StandardCharsets.US_ASCII);
    boolean ok = false;
    for (String c : candidates) {
      ok |= MessageDigest.isEqual(expected, c.getBytes(StandardCharsets.US_ASCII));
    }
    return ok;
  }

  private static byte[] mac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
