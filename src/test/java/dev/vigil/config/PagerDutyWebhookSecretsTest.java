package dev.vigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code pagerduty.webhookSecrets}: substituted like every secret, each bad value reported at its
 * place.
 */
class PagerDutyWebhookSecretsTest {
  static List<String> problems(String name, Map<String, String> env) {
    Path file = ConfigLoaderTest.fixture(name);
    Problems problems = new Problems();
    new ConfigLoader(env::get).read(file, problems);
    return problems.sorted().stream()
        .map(p -> p.toString().replace(file.toString(), name))
        .toList();
  }

  @Test
  void everyBadSecretIsReportedAtItsPlace() {
    assertThat(
            problems(
                "bad/pagerduty-webhook-secrets.yaml", Map.of("PD_WEBHOOK_SECRET", "s3cret-one")))
        .containsExactly(
            "bad/pagerduty-webhook-secrets.yaml:4:7: pagerduty.webhookSecrets[1]: empty secret: set it to the subscription's secret,"
                + " which PagerDuty shows once when it creates it",
            "bad/pagerduty-webhook-secrets.yaml:5:7: pagerduty.webhookSecrets[2]: the secret has whitespace at its start or end"
                + " (a line break from a file?); PagerDuty's secrets have none",
            "bad/pagerduty-webhook-secrets.yaml:6:7: pagerduty.webhookSecrets[3]: environment variable PD_WEBHOOK_SECRET_OLD is not set"
                + " (use ${env:PD_WEBHOOK_SECRET_OLD:-} for an optional value)",
            "bad/pagerduty-webhook-secrets.yaml:7:7: pagerduty.webhookSecrets[4]: the same secret is listed twice",
            "bad/pagerduty-webhook-secrets.yaml:8:7: pagerduty.webhookSecrets[5]: expected a string, got a mapping");
  }

  @Test
  void aScalarInsteadOfAListIsReported() {
    assertThat(
            problems(
                "bad/pagerduty-webhook-secrets-scalar.yaml",
                Map.of("PD_WEBHOOK_SECRET", "s3cret-one")))
        .containsExactly(
            "bad/pagerduty-webhook-secrets-scalar.yaml:2:19: pagerduty.webhookSecrets: expected a list of secrets,"
                + " e.g. [\"${env:PD_WEBHOOK_SECRET}\"] (several while a secret is rotated)");
  }

  @Test
  void secretsComeFromTheEnvironmentAndAnOptionalOneThatIsUnsetIsLeftOut() throws Exception {
    Path dir = Files.createTempDirectory("pdcfg");
    Path config = dir.resolve("vigil.yaml");
    Files.writeString(
        config,
        """
        pagerduty:
          webhookSecrets: ["${env:PD_NEW}", "${env:PD_OLD:-}"]
        """);
    VigilConfig c = new ConfigLoader(Map.of("PD_NEW", "new-secret")::get).load(config);
    assertThat(c.pagerduty().webhookSecrets())
        .extracting(Secret::reveal)
        .containsExactly("new-secret");
    assertThat(c.pagerduty().webhookSecrets().toString()).doesNotContain("new-secret");
    VigilConfig none = new ConfigLoader(Map.<String, String>of()::get).load(writeEmpty(dir));
    assertThat(none.pagerduty().webhookSecrets()).isEmpty();
  }

  private static Path writeEmpty(Path dir) throws IOException {
    Path p = dir.resolve("empty.yaml");
    Files.writeString(p, "server: {port: 0}\n");
    return p;
  }
}
