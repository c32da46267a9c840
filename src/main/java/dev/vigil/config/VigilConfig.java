package dev.vigil.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's configuration, {@code config/vigil.yaml}, after substitution and validation. Paths
 * are absolute (resolved against the file that names them). See docs/configuration.md.
 */
public record VigilConfig(
    Path file,
    Server server,
    Auth auth,
    Store store,
    Ingest ingest,
    Path teams,
    Path classification,
    PagerDuty pagerduty,
    Slack slack,
    Runbooks runbooks,
    Breaker breaker,
    Retry retry,
    Map<String, List<String>> chatopsAllow,
    Telemetry telemetry,
    Ha ha,
    Log log) {

  /**
   * @param publicUrl how people reach Vigil ({@code https://vigil.example}), for links in pages and
   *     messages; empty: the listen address
   * @param tls the listener's certificate and key; empty: plain HTTP (behind a TLS-terminating
   *     proxy, or on loopback)
   * @param limits how long and how many connections may hold the listener
   * @param transport how the network is driven, one of {@link #TRANSPORTS}: {@code auto} takes
   *     Linux's epoll where it loads, else Java's NIO (ADR 0152)
   */
  public record Server(
      String host,
      int port,
      long maxBodyBytes,
      Duration shutdownTimeout,
      String publicUrl,
      Optional<Tls> tls,
      Limits limits,
      String transport) {

    /** The values of {@code server.transport}. */
    public static final List<String> TRANSPORTS = List.of("auto", "epoll", "nio");

    /**
     * Where people reach Vigil, without a trailing slash: {@code publicUrl}, else the listen
     * address ({@code http(s)://host:port}; a wildcard host reads {@code localhost}).
     */
    public String baseUrl() {
      if (!publicUrl.isEmpty()) {
        return publicUrl;
      }
      String h =
          host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")
              ? "localhost"
              : host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
      return (tls.isPresent() ? "https://" : "http://") + h + ":" + port;
    }

    /** The console page of incident {@code id}: {@code <baseUrl>/ui/incidents/<id>}. */
    public String consoleUrl(Object id) {
      return baseUrl() + "/ui/incidents/" + id;
    }
  }

  /**
   * What one client can hold of the listener (see docs/configuration.md, {@code server.*}).
   *
   * @param headerTimeout from a connection's opening until its first request's headers are complete
   * @param bodyTimeout from a request's headers until its whole body has arrived (or it is
   *     answered)
   * @param idleTimeout how long a keep-alive connection may wait for its next request
   * @param maxConnections open connections across the listener; more are closed as soon as they are
   *     accepted
   * @param maxUnauthenticatedBytes request bytes held at once, across all requests, before their
   *     sender is authenticated (Slack requests are read whole before their signature can be
   *     checked)
   */
  public record Limits(
      Duration headerTimeout,
      Duration bodyTimeout,
      Duration idleTimeout,
      int maxConnections,
      long maxUnauthenticatedBytes) {
    /** The defaults, as an absent {@code server:} section gives them. */
    public static final Limits DEFAULT =
        new Limits(
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60),
            10_000,
            32L * 1024 * 1024);
  }

  /**
   * PEM files for HTTPS on Vigil's own listener: the certificate (chain) and its private key
   * (PKCS#8 or PKCS#1).
   */
  public record Tls(Path certFile, Path keyFile) {}

  /**
   * @param sessionLifetime how long a web console session lasts after its token was exchanged for a
   *     cookie ({@code auth.sessionLifetime})
   */
  public record Auth(
      List<Secret> webhookTokens,
      List<Secret> apiTokens,
      boolean allowAnonymous,
      Duration sessionLifetime) {
    /** {@code auth.sessionLifetime}'s default. */
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(12);

    public Auth(List<Secret> webhookTokens, List<Secret> apiTokens, boolean allowAnonymous) {
      this(webhookTokens, apiTokens, allowAnonymous, DEFAULT_SESSION_LIFETIME);
    }
  }

  /**
   * Where state lives. {@code url} is {@code sqlite:PATH} (PATH absolute after loading) or {@code
   * postgresql://user@host:port/db}.
   */
  public record Store(
      String url, Secret password, String synchronous, Duration busyTimeout, int poolSize) {
    public boolean isSqlite() {
      return url.startsWith("sqlite:");
    }

    public String sqlitePath() {
      return url.substring("sqlite:".length());
    }
  }

  /**
   * The group-commit writer: how many alerts may wait for a commit, and the most in one
   * transaction.
   */
  public record Ingest(int queueLimit, int maxBatchAlerts) {}

  /**
   * @param eventsUrl where Events API v2 events go
   * @param webhookSecrets the secrets of the PagerDuty v3 webhook subscriptions whose deliveries
   *     {@code POST /api/v1/integrations/pagerduty} accepts (several while one is rotated); empty:
   *     that route refuses every request
   */
  public record PagerDuty(String eventsUrl, List<Secret> webhookSecrets) {
    public PagerDuty {
      webhookSecrets = List.copyOf(webhookSecrets);
    }
  }

  public record Slack(Secret botToken, Secret signingSecret, String apiUrl, String opsChannel) {
    public boolean enabled() {
      return !botToken.isEmpty();
    }
  }

  /**
   * @param secrets {@code runbooks.secrets}: values runbooks insert as {@code ${{ secrets.NAME }}}
   *     (http, check and exec steps), redacted wherever a run is stored or shown
   */
  public record Runbooks(
      Path dir, List<String> execAllow, List<String> httpAllow, Map<String, Secret> secrets) {
    public Runbooks {
      secrets = Map.copyOf(secrets);
    }

    public Runbooks(Path dir, List<String> execAllow, List<String> httpAllow) {
      this(dir, execAllow, httpAllow, Map.of());
    }
  }

  public record Breaker(
      int maxFailures, Duration timeout, Duration resetTimeout, Duration failuresWindow) {}

  /**
   * How the outbox retries a notification ({@code notify.retry}): attempts, first delay, longest
   * delay.
   */
  public record Retry(int maxAttempts, Duration initialDelay, Duration maxDelay) {}

  public record Telemetry(String otlpEndpoint) {}

  /**
   * How log lines are written: {@code log.format}, {@code auto} (text on a terminal, JSON
   * otherwise), text or json.
   */
  public record Log(LogFormat format) {}

  /**
   * Several replicas on one PostgreSQL ({@code ha}, docs/ha.md). {@code replicaId} names this
   * process in leases (empty: host name and a random suffix, new at every start); {@code leaseTtl}
   * is how long a claim lasts without renewal, so how soon another replica takes over the work of a
   * dead one.
   */
  public record Ha(String replicaId, Duration leaseTtl) {}
}
