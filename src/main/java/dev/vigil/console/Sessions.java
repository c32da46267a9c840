package dev.vigil.console;

import dev.vigil.config.Secret;
import dev.vigil.config.VigilConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's sessions: an API token, presented once, is exchanged for a signed cookie that
 * carries its expiry and the name the person gave; each session has its own CSRF token. Nothing is
 * kept in memory: the cookie is signed (HMAC-SHA256) with a key derived from the API tokens, so
 * replicas sharing the tokens accept each other's sessions, a restart keeps them, and changing the
 * tokens ends them all. With no API tokens (loopback, as the API), every visitor gets a session
 * without a token, signed with a key made at start, so that actions still carry a CSRF token.
 */
public final class Sessions {
  static final String COOKIE = "vigil_session";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder D64 = Base64.getUrlDecoder();

  /** A valid session: its random id, when it ends (epoch seconds) and who opened it. */
  public record Session(String id, long expires, String name) {}

  private final List<Secret> tokens;
  private final byte[] key;
  private final Duration lifetime;
  private final boolean secure;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param tokens {@code auth.apiTokens}; empty: the console is open
   * @param lifetime {@code auth.sessionLifetime}
   * @param secure whether cookies are marked {@code Secure} (Vigil is reached over TLS)
   */
  public Sessions(List<Secret> tokens, Duration lifetime, boolean secure, Clock clock) {
    this.tokens = List.copyOf(tokens);
    this.lifetime = lifetime;
    this.secure = secure;
    this.clock = clock;
    this.key = tokens.isEmpty() ? randomKey() : derivedKey(tokens);
  }

  /**
   * The sessions {@code config} asks for: its API tokens and {@code auth.sessionLifetime}; cookies
   * are {@code Secure} when Vigil serves TLS itself or is reached through an {@code https:} {@code
   * server.publicUrl}.
   */
  public static Sessions of(VigilConfig config, Clock clock) {
    boolean tls =
        config.server().tls().isPresent() || config.server().publicUrl().startsWith("https:");
    return new Sessions(config.auth().apiTokens(), config.auth().sessionLifetime(), tls, clock);
  }

  /** Whether the console needs no token (no API tokens are configured). */
  public boolean open() {
    return tokens.isEmpty();
  }

  /**
   * Whether {@code presented} is one of the API tokens; every token is compared, in constant time.
   */
  public boolean tokenMatches(String presented) {
    boolean ok = false;
    for (Secret t : tokens) {
      ok |= t.matches(presented);
    }
    return ok;
  }

  /** A new session for {@code name} (cut to 60 characters; empty for nobody in particular). */
  public Session issue(String name) {
    byte[] id = new byte[18];
    random.nextBytes(id);
    String n = name == null ? "" : name.strip();
    n = n.length() > 60 ? n.substring(0, 60) : n;
    return new Session(B64.encodeToString(id), clock.instant().plus(lifetime).getEpochSecond(), n);
  }

  /** The session a cookie value stands for, if it is signed by this key and not expired. */
  public Optional<Session> verify(String cookie) {
    if (cookie == null || cookie.length() > 512) {
      return Optional.empty();
    }
    String[] p = cookie.split("\\.", -1);
    if (p.length != 5 || !p[0].equals("v1")) {
      return Optional.empty();
    }
    String payload = p[0] + "." + p[1] + "." + p[2] + "." + p[3];
    byte[] presented;
    long expires;
    String name;
    try {
      presented = D64.decode(p[4]);
      expires = Long.parseLong(p[1]);
      name = new String(D64.decode(p[3]), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(mac("session." + payload), presented)
        || expires <= clock.instant().getEpochSecond()) {
      return Optional.empty();
    }
    return Optional.of(new Session(p[2], expires, name));
  }

  /** The cookie's value for {@code s}. */
  public String value(Session s) {
    String payload =
        "v1."
            + s.expires()
            + "."
            + s.id()
            + "."
            + B64.encodeToString(s.name().getBytes(StandardCharsets.UTF_8));
    return payload + "." + B64.encodeToString(mac("session." + payload));
  }

  /** The {@code Set-Cookie} header that stores {@code s} in the browser. */
  public String setCookie(Session s) {
    long maxAge = Math.max(0, s.expires() - clock.instant().getEpochSecond());
    return COOKIE
        + "="
        + value(s)
        + "; Path=/ui; Max-Age="
        + maxAge
        + "; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }

  /** The {@code Set-Cookie} header that removes the session cookie. */
  public String clearCookie() {
    return COOKIE
        + "=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }

  /** The CSRF token every form of {@code s} carries. */
  public String csrf(Session s) {
    return B64.encodeToString(mac("csrf." + s.id()));
  }

  /** Whether {@code presented} is {@code s}'s CSRF token (constant time). */
  public boolean csrfMatches(Session s, String presented) {
    return presented != null
        && MessageDigest.isEqual(
            csrf(s).getBytes(StandardCharsets.US_ASCII),
            presented.getBytes(StandardCharsets.US_ASCII));
  }

  private byte[] mac(String text) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private byte[] randomKey() {
    byte[] k = new byte[32];
    random.nextBytes(k);
    return k;
  }

  private static byte[] derivedKey(List<Secret> tokens) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update("vigil console session key\0".getBytes(StandardCharsets.UTF_8));
      tokens.stream()
          .map(Secret::reveal)
          .sorted()
          .forEach(t -> d.update((t + "\0").getBytes(StandardCharsets.UTF_8)));
      return d.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
