package dev.vigil.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each bad config fixture gives exactly the message an operator would read. */
class ConfigLoaderTest {
  static Path fixture(String name) {
    try {
      return Path.of(ConfigLoaderTest.class.getClassLoader().getResource("config/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> problems(String name) {
    Problems problems = new Problems();
    new ConfigLoader(Map.<String, String>of()::get).read(fixture(name), problems);
    String prefix = fixture(name).toString();
    return problems.sorted().stream().map(p -> p.toString().replace(prefix, name)).toList();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      bad/unknown-key.yaml   | bad/unknown-key.yaml:3:3: server: unknown key "prot" (did you mean "port"?)
      bad/bad-type.yaml      | bad/bad-type.yaml:2:9: server.port: expected a whole number, got "eighty"
      bad/missing-env.yaml   | bad/missing-env.yaml:2:13: slack.botToken: environment variable SLACK_BOT_TOKEN is not set (use ${env:SLACK_BOT_TOKEN:-} for an optional value)
      bad/anonymous.yaml     | bad/anonymous.yaml:2:9: server.host: refusing to listen on 0.0.0.0 without auth.webhookTokens: anyone who can reach it could post alerts or act on incidents; set tokens or auth.allowAnonymous: true
      bad/bad-duration.yaml  | bad/bad-duration.yaml:2:20: server.shutdownTimeout: duration "30" needs a unit, e.g. 30s (units: ms, s, m, h, d)
      bad/syntax.yaml        | bad/syntax.yaml:3:1: YAML syntax error: expected ',' or ']', but got <stream end>
      bad/duplicate-key.yaml | bad/duplicate-key.yaml:3:3: server: duplicate key "port" (first at line 2)
      bad/java-tag.yaml      | bad/java-tag.yaml:1:9: tag tag:yaml.org,2002:javax.script.ScriptEngineManager is not allowed: these files hold plain data
      bad/otlp-endpoint.yaml | bad/otlp-endpoint.yaml:2:17: telemetry.otlpEndpoint: expected an http:// or https:// URL, got "collector:4317"
      bad/otlp-key.yaml      | bad/otlp-key.yaml:2:3: telemetry: unknown key "otlpEndpont" (did you mean "otlpEndpoint"?)
      bad/log-format.yaml    | bad/log-format.yaml:2:11: log.format: "yaml" is not one of auto, text, json
      bad/server-transport.yaml | bad/server-transport.yaml:2:14: server.transport: "kqueue" is not one of auto, epoll, nio
      bad/session-lifetime.yaml | bad/session-lifetime.yaml:2:20: auth.sessionLifetime: must be between 1m and 30d, got 45d
      """)
  void eachMistakeIsReportedAtItsPlace(String file, String expected) {
    assertThat(problems(file)).containsExactly(expected);
  }

  @Test
  void everyProblemOfAFileIsReportedAtOnce() {
    String teams = fixture("bad/several.yaml").resolveSibling("missing-teams.yaml").toString();
    assertThat(problems("bad/several.yaml"))
        .containsExactly(
            "bad/several.yaml:2:8: store.url: store url must start with sqlite: or postgresql://, got \"mysql://db/vigil\"",
            "bad/several.yaml:3:16: store.synchronous: \"OFF\" is not one of FULL, NORMAL",
            "bad/several.yaml:4:8: teams: file " + teams + " does not exist",
            "bad/several.yaml:6:18: auth.webhookTokens: expected a list, got \"abc\"");
  }

  @Test
  void connectionLimitsAreCheckedAtTheirPlace() {
    assertThat(problems("bad/server-limits.yaml"))
        .containsExactly(
            "bad/server-limits.yaml:2:18: server.headerTimeout: must be between 10ms and 1d, got 5ms",
            "bad/server-limits.yaml:3:19: server.maxConnections: must be from 1 to 1000000, got 0",
            "bad/server-limits.yaml:4:3: server: unknown key \"idleTimout\" (did you mean \"idleTimeout\"?)",
            "bad/server-limits.yaml:5:16: server.bodyTimeout: must be between 10ms and 1d, got 2d",
            "bad/server-limits.yaml:6:28: server.maxUnauthenticatedBytes: must be from 1024 to 1099511627776, got 10");
  }

  @Test
  void connectionLimitsHaveTheirDefaults() throws ConfigException {
    VigilConfig.Limits l =
        new ConfigLoader(Map.of("HOOK_TOKEN", "hook-secret")::get)
            .load(fixture("good/full.yaml"))
            .server()
            .limits();
    assertThat(l)
        .isEqualTo(
            new VigilConfig.Limits(
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                Duration.ofSeconds(60),
                10_000,
                32L * 1024 * 1024));
  }

  @Test
  void loadThrowsWithEveryProblemInTheMessage() {
    assertThatThrownBy(() -> new ConfigLoader(k -> null).load(fixture("bad/several.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.url: store url must start with")
        .hasMessageContaining("auth.webhookTokens: expected a list");
  }

  @Test
  void aGoodConfigSubstitutesSecretsAndResolvesPathsAgainstItsFile() throws ConfigException {
    Path file = fixture("good/full.yaml");
    VigilConfig c = new ConfigLoader(Map.of("HOOK_TOKEN", "hook-secret")::get).load(file);
    assertThat(c.server().host()).isEqualTo("0.0.0.0");
    assertThat(c.server().shutdownTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.auth().webhookTokens()).extracting(Secret::reveal).containsExactly("hook-secret");
    assertThat(c.auth().apiTokens()).extracting(Secret::reveal).containsExactly("api-secret");
    assertThat(c.auth().webhookTokens().toString()).doesNotContain("hook-secret");
    assertThat(c.store().url()).isEqualTo("sqlite:" + file.getParent().resolve("state/vigil.db"));
    assertThat(c.store().synchronous()).isEqualTo("NORMAL");
    assertThat(c.store().busyTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.slack().enabled()).isFalse();
    assertThat(c.runbooks().dir()).isEqualTo(file.getParent().getParent().resolve("runbooks"));
    assertThat(c.runbooks().execAllow()).containsExactly("kubectl");
    assertThat(c.toString()).doesNotContain("hook-secret").doesNotContain("api-secret");
  }

  @Test
  void theShippedConfigIsValidWithNoEnvironment() {
    Problems problems = new Problems();
    new ConfigLoader(k -> null).read(Path.of("config/vigil.yaml"), problems);
    assertThat(problems.sorted()).isEmpty();
  }
}
