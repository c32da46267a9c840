package dev.vigil.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads {@code config/vigil.yaml} into a {@link VigilConfig}, collecting every problem.
 *
 * <p>Blocking (file I/O): call it from {@code main} or a worker, never on an event loop.
 */
public final class ConfigLoader {
  public static final List<String> SYNCHRONOUS = List.of("FULL", "NORMAL");

  private final Function<String, String> env;

  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  public static ConfigLoader fromSystem() {
    return new ConfigLoader(System::getenv);
  }

  /**
   * The config, or a {@link ConfigException} listing every problem as {@code file:line:col:
   * message}.
   */
  public VigilConfig load(Path file) throws ConfigException {
    Problems problems = new Problems();
    Optional<VigilConfig> config = read(file, problems);
    problems.throwIfErrors();
    return config.orElseThrow();
  }

  /** Reads what it can; problems go to {@code problems} (used by {@code vigil validate}). */
  public Optional<VigilConfig> read(Path file, Problems problems) {
    Path abs = file.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    String label = file.toString();
    Optional<YamlNode> root = Yaml.load(abs, label, problems, new Interpolator(env, dir));
    if (root.isEmpty()) {
      return Optional.empty();
    }
    Fields f =
        root.get()
            .fields(
                "server",
                "auth",
                "store",
                "ingest",
                "teams",
                "classification",
                "pagerduty",
                "slack",
                "runbooks",
                "notify",
                "chatops",
                "telemetry",
                "ha",
                "log");

    Fields s =
        section(
            f,
            "server",
            "host",
            "port",
            "maxBodyBytes",
            "shutdownTimeout",
            "publicUrl",
            "tls",
            "headerTimeout",
            "bodyTimeout",
            "idleTimeout",
            "maxConnections",
            "maxUnauthenticatedBytes",
            "transport");
    VigilConfig.Server server =
        new VigilConfig.Server(
            s.string("host", "127.0.0.1"),
            (int) s.integer("port", 8080, 0, 65535),
            s.integer("maxBodyBytes", 16L * 1024 * 1024, 1024, 1L << 30),
            s.duration("shutdownTimeout", Duration.ofSeconds(30)),
            s.has("publicUrl") ? stripSlash(httpUrl(s, "publicUrl", "")) : "",
            s.fields("tls", "certFile", "keyFile").flatMap(t -> tls(t, dir)),
            limits(s),
            s.oneOf("transport", "auto", VigilConfig.Server.TRANSPORTS));

    Fields a =
        section(f, "auth", "webhookTokens", "apiTokens", "allowAnonymous", "sessionLifetime");
    VigilConfig.Auth auth =
        new VigilConfig.Auth(
            a.strings("webhookTokens").stream().map(Secret::new).toList(),
            a.strings("apiTokens").stream().map(Secret::new).toList(),
            a.bool("allowAnonymous", false),
            sessionLifetime(a));
    if (!auth.allowAnonymous()
        && (auth.webhookTokens().isEmpty() || auth.apiTokens().isEmpty())
        && !isLoopback(server.host())) {
      YamlNode at = s.get("host").orElse(s.node());
      at.error(
          "refusing to listen on "
              + server.host()
              + " without "
              + (auth.webhookTokens().isEmpty() ? "auth.webhookTokens" : "auth.apiTokens")
              + ": anyone who can reach it could post alerts or act on incidents; set tokens or auth.allowAnonymous: true");
    }

    Fields st = section(f, "store", "url", "password", "synchronous", "busyTimeout", "poolSize");
    String url = st.string("url", "sqlite:../data/vigil.db");
    YamlNode urlNode = st.get("url").orElse(st.node());
    if (url.startsWith("sqlite:")) {
      String p = url.substring("sqlite:".length());
      if (p.isBlank()) {
        urlNode.error("sqlite: needs a file path, e.g. sqlite:../data/vigil.db");
      }
      url = "sqlite:" + dir.resolve(p).normalize();
    } else if (!url.startsWith("postgresql://")) {
      urlNode.error(
          "store url must start with sqlite: or postgresql://, got \""
              + YamlNode.abbreviate(url)
              + "\"");
    }
    VigilConfig.Store store =
        new VigilConfig.Store(
            url,
            new Secret(st.string("password", "")),
            st.oneOf("synchronous", "FULL", SYNCHRONOUS),
            st.duration("busyTimeout", Duration.ofSeconds(5)),
            (int) st.integer("poolSize", 8, 1, 256));

    Fields in = section(f, "ingest", "queueLimit", "maxBatchAlerts");
    VigilConfig.Ingest ingest =
        new VigilConfig.Ingest(
            (int) in.integer("queueLimit", 150_000, 1, 10_000_000),
            (int) in.integer("maxBatchAlerts", 5_000, 1, 1_000_000));

    Path teams = dir.resolve(f.string("teams", "teams.yaml")).normalize();
    Path classification =
        dir.resolve(f.string("classification", "classification.yaml")).normalize();

    Fields pd = section(f, "pagerduty", "eventsUrl", "webhookSecrets");
    VigilConfig.PagerDuty pagerduty =
        new VigilConfig.PagerDuty(
            httpUrl(pd, "eventsUrl", "https://events.pagerduty.com/v2/enqueue"),
            webhookSecrets(pd));

    Fields sl = section(f, "slack", "botToken", "signingSecret", "apiUrl", "opsChannel");
    VigilConfig.Slack slack =
        new VigilConfig.Slack(
            new Secret(sl.string("botToken", "")),
            new Secret(sl.string("signingSecret", "")),
            httpUrl(sl, "apiUrl", "https://slack.com/api/"),
            sl.string("opsChannel", "#vigil-ops"));

    Fields rb = section(f, "runbooks", "dir", "exec", "http", "secrets");
    Fields exec = rb.fields("exec", "allow").orElseGet(() -> empty(rb, "exec"));
    Fields http = rb.fields("http", "allow").orElseGet(() -> empty(rb, "http"));
    http.items("allow").forEach(p -> p.string().flatMap(HostPattern::problem).ifPresent(p::error));
    VigilConfig.Runbooks runbooks =
        new VigilConfig.Runbooks(
            dir.resolve(rb.string("dir", "../runbooks")).normalize(),
            exec.strings("allow"),
            http.strings("allow"),
            runbookSecrets(rb));

    Fields notify = section(f, "notify", "breaker", "retry");
    Fields br =
        notify
            .fields("breaker", "maxFailures", "timeout", "resetTimeout", "failuresWindow")
            .orElseGet(() -> empty(notify, "breaker"));
    VigilConfig.Breaker breaker =
        new VigilConfig.Breaker(
            (int) br.integer("maxFailures", 5, 1, 1000),
            br.duration("timeout", Duration.ofSeconds(10)),
            br.duration("resetTimeout", Duration.ofSeconds(30)),
            br.duration("failuresWindow", Duration.ofSeconds(60)));
    Fields rt =
        notify
            .fields("retry", "maxAttempts", "initialDelay", "maxDelay")
            .orElseGet(() -> empty(notify, "retry"));
    VigilConfig.Retry retry =
        new VigilConfig.Retry(
            (int) rt.integer("maxAttempts", 8, 1, 100),
            rt.duration("initialDelay", Duration.ofSeconds(30)),
            rt.duration("maxDelay", Duration.ofMinutes(5)));

    Fields chat = section(f, "chatops", "allow");
    Map<String, List<String>> allow = new LinkedHashMap<>();
    chat.fields("allow", "run", "override", "approve", "resolve")
        .ifPresent(
            al ->
                List.of("run", "override", "approve", "resolve")
                    .forEach(k -> al.get(k).ifPresent(n -> allow.put(k, n.strings()))));

    Fields tel = section(f, "telemetry", "otlpEndpoint");
    // empty: no span export; otherwise the OTLP/HTTP traces endpoint, e.g.
    // http://collector:4318/v1/traces
    String otlp = tel.string("otlpEndpoint", "");
    VigilConfig.Telemetry telemetry =
        new VigilConfig.Telemetry(otlp.isEmpty() ? otlp : httpUrl(tel, "otlpEndpoint", ""));

    Fields h = section(f, "ha", "replicaId", "leaseTtl");
    VigilConfig.Ha ha =
        new VigilConfig.Ha(
            h.string("replicaId", ""), h.duration("leaseTtl", Duration.ofSeconds(30)));
    if (ha.leaseTtl().compareTo(Duration.ofSeconds(1)) < 0) {
      h.get("leaseTtl")
          .orElse(h.node())
          .error("leaseTtl must be at least 1s: a replica renews its leases every third of it");
    }

    Fields lg = section(f, "log", "format");
    VigilConfig.Log log =
        new VigilConfig.Log(
            LogFormat.valueOf(
                lg.oneOf("format", "auto", List.of("auto", "text", "json"))
                    .toUpperCase(Locale.ROOT)));

    checkReferencedFile(f, "teams", teams, problems);
    checkReferencedFile(f, "classification", classification, problems);

    return Optional.of(
        new VigilConfig(
            abs,
            server,
            auth,
            store,
            ingest,
            teams,
            classification,
            pagerduty,
            slack,
            runbooks,
            breaker,
            retry,
            Map.copyOf(allow),
            telemetry,
            ha,
            log));
  }

  /** {@code server.*} connection limits; a timeout must be at least 10ms and at most a day. */
  private static VigilConfig.Limits limits(Fields s) {
    VigilConfig.Limits d = VigilConfig.Limits.DEFAULT;
    return new VigilConfig.Limits(
        timeout(s, "headerTimeout", d.headerTimeout()),
        timeout(s, "bodyTimeout", d.bodyTimeout()),
        timeout(s, "idleTimeout", d.idleTimeout()),
        (int) s.integer("maxConnections", d.maxConnections(), 1, 1_000_000),
        s.integer("maxUnauthenticatedBytes", d.maxUnauthenticatedBytes(), 1024, 1L << 40));
  }

  /** {@code auth.sessionLifetime}: how long a console session lasts, 1m to 30d. */
  private static Duration sessionLifetime(Fields a) {
    Duration dflt = VigilConfig.Auth.DEFAULT_SESSION_LIFETIME;
    Duration d = a.duration("sessionLifetime", dflt);
    if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(30)) > 0) {
      a.get("sessionLifetime")
          .orElse(a.node())
          .error("must be between 1m and 30d, got " + Durations.format(d));
      return dflt;
    }
    return d;
  }

  private static Duration timeout(Fields s, String key, Duration dflt) {
    Duration d = s.duration(key, dflt);
    if (d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
      s.get(key).orElse(s.node()).error("must be between 10ms and 1d, got " + Durations.format(d));
      return dflt;
    }
    return d;
  }

  /**
   * {@code runbooks.secrets}: names as runbooks write them ({@code secrets.NAME}), values
   * substituted like any secret.
   */
  private static Map<String, Secret> runbookSecrets(Fields rb) {
    Map<String, Secret> out = new LinkedHashMap<>();
    rb.get("secrets")
        .ifPresent(
            n -> {
              if (!n.isMap()) {
                n.error(
                    "expected a mapping of secret names to values, e.g. { SCALER_TOKEN: \"${env:SCALER_TOKEN}\" }");
                return;
              }
              n.entries()
                  .forEach(
                      (name, v) -> {
                        if (!SECRET_NAME.matcher(name).matches()) {
                          v.error(
                              "\""
                                  + name
                                  + "\" is not a secret name: use letters, digits and '_', starting with a letter or '_' (runbooks read it as secrets."
                                  + name
                                  + ")");
                        } else {
                          v.string().ifPresent(value -> out.put(name, new Secret(value)));
                        }
                      });
            });
    return out;
  }

  /**
   * {@code pagerduty.webhookSecrets}: a list of non-empty strings without surrounding whitespace,
   * none given twice (each usually {@code ${env:...}} or {@code ${file:...}}; a value from the
   * environment or a file is checked after substitution, and one that substitutes to nothing, such
   * as {@code ${env:X:-}} with X unset, is left out as for auth tokens).
   */
  private static List<Secret> webhookSecrets(Fields pd) {
    List<Secret> out = new ArrayList<>();
    pd.get("webhookSecrets")
        .ifPresent(
            n -> {
              if (!n.isList()) {
                n.error(
                    "expected a list of secrets, e.g. [\"${env:PD_WEBHOOK_SECRET}\"] (several while a secret is rotated)");
                return;
              }
              Set<String> seen = new HashSet<>();
              List<YamlNode> items = n.items();
              for (YamlNode item : items) {
                item.string()
                    .ifPresent(
                        v -> {
                          if (v.isEmpty() && item.text().contains("${")) {
                            return; // "${env:X:-}" with X unset means no secret, as for auth tokens
                          }
                          if (v.isEmpty()) {
                            item.error(
                                "empty secret: set it to the subscription's secret, which PagerDuty shows once when it creates it");
                          } else if (!v.strip().equals(v)) {
                            item.error(
                                "the secret has whitespace at its start or end (a line break from a file?); PagerDuty's secrets have none");
                          } else if (!seen.add(v)) {
                            item.error("the same secret is listed twice");
                          } else {
                            out.add(new Secret(v));
                          }
                        });
              }
            });
    return out;
  }

  private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private static Fields section(Fields parent, String key, String... known) {
    return parent.fields(key, known).orElseGet(() -> empty(parent, key));
  }

  /** An absent section reads as an empty mapping, so every default applies. */
  private static Fields empty(Fields parent, String key) {
    Problems scratch = new Problems();
    YamlNode blank =
        Yaml.parse("{}".getBytes(), parent.node().context().file(), scratch, null).orElseThrow();
    return blank.fields();
  }

  /**
   * Both PEM files, each checked to exist and to hold what its name says, so a typo fails here and
   * not at listen.
   */
  private static Optional<VigilConfig.Tls> tls(Fields t, Path dir) {
    Optional<Path> cert = t.required("certFile").flatMap(n -> pem(n, dir, "CERTIFICATE"));
    Optional<Path> key = t.required("keyFile").flatMap(n -> pem(n, dir, "PRIVATE KEY"));
    return cert.flatMap(c -> key.map(k -> new VigilConfig.Tls(c, k)));
  }

  private static Optional<Path> pem(YamlNode node, Path dir, String kind) {
    return node.string()
        .map(dir::resolve)
        .map(Path::normalize)
        .filter(
            p -> {
              String text;
              try {
                text =
                    Files.size(p) > Yaml.MAX_BYTES
                        ? ""
                        : Files.readString(p, StandardCharsets.ISO_8859_1);
              } catch (IOException e) {
                node.error("cannot read " + p + ": " + Yaml.describe(e));
                return false;
              }
              if (!text.matches("(?s).*-----BEGIN [A-Z ]*" + kind + "-----.*")) {
                node.error(
                    p
                        + " is not a PEM file with a "
                        + kind
                        + " (expected a -----BEGIN ..."
                        + kind
                        + "----- block)");
                return false;
              }
              return true;
            });
  }

  private static String httpUrl(Fields f, String key, String dflt) {
    String v = f.string(key, dflt);
    if (!v.startsWith("http://") && !v.startsWith("https://")) {
      f.get(key)
          .orElse(f.node())
          .error("expected an http:// or https:// URL, got \"" + YamlNode.abbreviate(v) + "\"");
    }
    return v;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static void checkReferencedFile(Fields f, String key, Path path, Problems problems) {
    if (f.has(key) && !Files.isRegularFile(path)) {
      f.get(key).orElseThrow().error("file " + path + " does not exist");
    }
  }

  /** True for addresses that only this machine can reach. */
  public static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
      return false; // a name other than localhost: never resolved here, and never assumed private
    }
    try {
      InetAddress addr = InetAddress.getByName(host.replace("[", "").replace("]", ""));
      return addr.isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
