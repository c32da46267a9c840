package dev.vigil.cli;

import static dev.vigil.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * vigil graph, vigil simulate and the runbook part of vigil validate, against the shipped config
 * and runbooks.
 */
class RunbookCliTest {
  static final String CONFIG = "config/vigil.yaml";
  static final String AT = "2026-11-29T06:00:00Z";

  @TempDir Path dir;

  static CliTest.Run simulate(String fixture) {
    return run(
        "simulate", "--config", CONFIG, "--at", AT, "src/test/resources/simulate/" + fixture);
  }

  @Test
  void simulateDiskFullPrintsThePlanInGraphOrderWithRenderedActions() {
    CliTest.Run r = simulate("disk-webhook.json");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "incident: 1 alert, labels {alertname=\"NodeFilesystemAlmostFull\", instance=\"db-1:9100\", mountpoint=\"/var\", severity=\"warning\"}\n"
                + "classification: severity warning, type disk, team eu\n"
                + "runbook: disk-almost-full (version ",
            "mode: auto (timeout 15m; drops to manual below a success rate of 0.8 over 20 runs)\n"
                + "steps:\n"
                + "  1. usage [http]\n"
                + "     GET http://prometheus:9090/api/v1/query?query=100-100*node_filesystem_avail_bytes%7Binstance=%22db-1%3A9100%22,mountpoint=%22%2Fvar%22%7D/node_filesystem_size_bytes\n"
                + "  2. clean [exec] after usage\n"
                + "     when double(steps.usage.output.json.data.result[0].value[1]) > 85.0 → decided during the run\n"
                + "     exec [\"/usr/local/bin/clean-tmp\",\"--host\",\"db-1\",\"--older-than\",\"2d\"]\n"
                + "  3. settle [wait] after clean\n"
                + "     wait 30s\n"
                + "  4. verify [check] after settle\n",
            "  5. report [slack] after verify\n"
                + "     slack (team channel): \"Freed disk on db-1 (/var): now ${{ steps.verify.output.json.data.result[0].value[1] }}% used.\"\n"
                + "then: on success resolve the incident, on failure escalate\n"
                + "escalation: only if the runbook fails (times below as if it failed at once), if nobody acknowledges:\n"
                + "  level 1 at 2026-11-29T06:00:00Z (notify active): eu via slack\n"
                + "  level 1 (repeat 1) at 2026-11-29T06:30:00Z (notify active): eu via slack\n");
  }

  @Test
  void simulateSaysEscalationStartsAtOnceWhenTheRunbookDoesNotHandOver() throws Exception {
    // the shipped config and disk runbook, but the runbook says onFailure: none: escalation does
    // not wait for it
    Path config = dir.resolve("config/vigil.yaml");
    Files.createDirectories(config.getParent());
    Files.createDirectories(dir.resolve("runbooks"));
    Files.writeString(
        config,
        Files.readString(Path.of(CONFIG))
            .replace("dir: ../runbooks", "dir: " + dir.resolve("runbooks")));
    Files.copy(Path.of("config/teams.yaml"), dir.resolve("config/teams.yaml"));
    Files.copy(Path.of("config/classification.yaml"), dir.resolve("config/classification.yaml"));
    Files.writeString(
        dir.resolve("runbooks/disk-almost-full.yaml"),
        Files.readString(Path.of("runbooks/disk-almost-full.yaml"))
            .replace("onFailure: escalate", "onFailure: none"));
    CliTest.Run r =
        run(
            "simulate",
            "--config",
            config.toString(),
            "--at",
            AT,
            "src/test/resources/simulate/disk-webhook.json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "then: on success resolve the incident, on failure none\n"
                + "escalation: at once, if nobody acknowledges:\n");
  }

  @Test
  void simulateCrashedServiceRestartsWithOneArgvElementPerValue() {
    CliTest.Run r = simulate("service-alerts.json");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "runbook: service-crashed (version ",
            "  1. probe [exec]\n"
                + "     exec [\"/usr/bin/systemctl\",\"--host\",\"web-3\",\"is-active\",\"--\",\"nginx.service\"]\n"
                + "  2. restart [exec] after probe\n",
            "     exec [\"/usr/bin/systemctl\",\"--host\",\"web-3\",\"restart\",\"--\",\"nginx.service\"]\n"
                + "  3. verify [exec] after restart\n",
            "  4. note [incident] after verify\n"
                + "     incident note: \"Restarted nginx.service on web-3; systemd reports it active.\"\n"
                + "  5. report [slack] after verify\n");
  }

  @Test
  void simulateHighLatencyShowsTheCanaryAndTheScaleRequest() {
    CliTest.Run r = simulate("latency-webhook.json");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "runbook: high-latency (version ",
            "note: rollout percent 50: auto for that share of incidents (picked by a stable hash of the incident id), manual for the rest\n",
            "  3. scale [http] after latency, current\n",
            "     PUT http://scaler.platform.svc:8080/v1/namespaces/shop/deployments/checkout/scale headers {\"Content-Type\":\"application/json\",\"X-Vigil-Incident\":\"INC-0\"} body {",
            "  4. verify [check] after scale\n");
  }

  @Test
  void simulateExpiringCertificateWaitsForApprovalBeforeRenewing() {
    CliTest.Run r = simulate("certificate-alerts.json");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "runbook: certificate-expiring (version ",
            "  2. approve [approval] after days\n"
                + "     approval \"Renew certificate shop/shop-tls (served at https://shop.example.com)? It expires in ${{ steps.days.output.json.data.result[0].value[1] }} days.\" by anyone on the active team within 1d\n"
                + "  3. renew [exec] after approve\n"
                + "     when steps.approve.output.decision == \"approved\" → decided during the run\n"
                + "     exec [\"kubectl\",\"cert-manager\",\"renew\",\"--namespace\",\"shop\",\"--\",\"shop-tls\"]\n");
  }

  @Test
  void simulateSaysWhenNoRunbookMatchesAndWhoWouldBePaged() {
    CliTest.Run r = simulate("unmatched-critical.json");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "classification: severity critical, type unknown, team eu\n"
                + "runbook: none\nnote: no runbook matches: the incident goes straight to escalation\n"
                + "escalation: at once, if nobody acknowledges:\n"
                + "  level 1 at 2026-11-29T06:00:00Z (notify active): eu via slack\n"
                + "  level 2 at 2026-11-29T06:05:00Z (notify next): india via slack\n"
                + "  level 3 at 2026-11-29T06:15:00Z (notify team:us): us via slack\n"
                + "  level 3 (repeat 1) at 2026-11-29T06:20:00Z (notify team:us): us via slack\n");
  }

  @Test
  void simulateTitlesTheIncidentAsIngestDoes() throws Exception {
    // the shipped config and disk runbook, whose Slack message starts with the incident's title;
    // the alert has no summary
    Path config = dir.resolve("config/vigil.yaml");
    Files.createDirectories(config.getParent());
    Files.createDirectories(dir.resolve("runbooks"));
    Files.writeString(
        config,
        Files.readString(Path.of(CONFIG))
            .replace("dir: ../runbooks", "dir: " + dir.resolve("runbooks")));
    Files.copy(Path.of("config/teams.yaml"), dir.resolve("config/teams.yaml"));
    Files.copy(Path.of("config/classification.yaml"), dir.resolve("config/classification.yaml"));
    Files.writeString(
        dir.resolve("runbooks/disk-almost-full.yaml"),
        Files.readString(Path.of("runbooks/disk-almost-full.yaml"))
            .replace("text: \"Freed disk on", "text: \"${{ incident.title }}: freed disk on"));
    Path webhook = dir.resolve("no-summary.json");
    Files.writeString(
        webhook,
        Files.readString(Path.of("src/test/resources/simulate/disk-webhook.json"))
            .replace("{\"summary\":\"Filesystem /var on db-1 is 91% full\"}", "{}"));
    CliTest.Run r = run("simulate", "--config", config.toString(), "--at", AT, webhook.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "slack (team channel): \"NodeFilesystemAlmostFull on db-1:9100: freed disk on db-1 (/var)");
  }

  @Test
  void simulateClassifiesAGroupWithoutCommonLabelsByItsFirstAlertAsIngestDoes() {
    CliTest.Run r = simulate("no-common-labels-webhook.json");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "incident: 2 alerts, labels {alertname=\"QueueBacklogGrowing\", queue=\"orders\", severity=\"critical\"}\n"
                + "classification: severity critical, type unknown, team eu\n");
  }

  @Test
  void simulateSaysADroppedAlertIsOnlyRecorded() {
    CliTest.Run r =
        simulate("nothing-matches.json"); // Watchdog: drop: true in the shipped classification.yaml
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "runbook: none\nnote: this group is only recorded (dropped by classification): no runbook runs and nobody is paged\n"
                + "escalation: none: the classification rule drops it (recorded only)\n");
  }

  @Test
  void simulateRejectsAFileThatIsNotAWebhookOrAlertList() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"alerts\": []}");
    CliTest.Run r = run("simulate", "--config", CONFIG, bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith(bad + ": version: missing");
    assertThat(run("simulate", "--config", CONFIG, "--at", "yesterday", bad.toString()).code())
        .isEqualTo(2);
  }

  @Test
  void graphPrintsMermaidWhoseEdgesAreTheNeedsEdges() {
    CliTest.Run r = run("graph", "--config", CONFIG, "high-latency");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
        flowchart TD
          latency["latency (http)"]
          current["current (http)"]
          scale["scale (http)"]
          verify["verify (check)"]
          report["report (slack)"]
          latency --> scale
          current --> scale
          scale --> verify
          verify --> report
        """);
  }

  @Test
  void graphPrintsDotAndRefusesAnUnknownName() {
    CliTest.Run dot = run("graph", "--config", CONFIG, "--format", "dot", "service-crashed");
    assertThat(dot.code()).isZero();
    assertThat(dot.out())
        .startsWith("digraph \"service-crashed\" {\n")
        .contains("  \"probe\" -> \"restart\";\n", "  \"verify\" -> \"report\";\n");
    CliTest.Run none = run("graph", "--config", CONFIG, "nope");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err())
        .contains("no runbook named \"nope\"")
        .contains("certificate-expiring, disk-almost-full, high-latency, service-crashed");
    assertThat(run("graph", "--config", CONFIG, "--format", "png", "high-latency").code())
        .isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource({"cycle.yaml", "five-mistakes.yaml"})
  void validateReportsRunbookProblemsAndExits1(String fixture) {
    CliTest.Run r =
        run("validate", "--config", CONFIG, "src/test/resources/runbooks/bad/" + fixture);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("src/test/resources/runbooks/bad/" + fixture + ":")
        .endsWith(
            " error"
                + (fixture.equals("cycle.yaml") ? "" : "s")
                + ", 3 warnings\n"); // the warnings: the coverage lint of the shipped teams.yaml
  }

  @Test
  void validateAcceptsTheShippedRunbooks() {
    CliTest.Run r = run("validate", "--config", CONFIG, "runbooks");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
  }

  @Test
  void validateReportsAnUnknownSecretAtItsLineAndColumn() throws Exception {
    Path config = dir.resolve("config/vigil.yaml");
    Files.createDirectories(config.getParent());
    Files.createDirectories(dir.resolve("runbooks"));
    Files.writeString(
        config,
        "runbooks:\n  dir: ../runbooks\n  secrets:\n    SCALER_TOKEN: \"${env:VIGIL_TEST_NO_SUCH_VAR:-t0k}\"\n");
    Path rb = dir.resolve("runbooks/scale.yaml");
    Files.writeString(
        rb,
        """
        name: scale
        match: ['alertname = "Slow"']
        steps:
          - id: scale
            http:
              url: "http://scaler/v1/scale?token=${{ secrets.SCALER_TOKEN }}"
              headers: {Authorization: "Bearer ${{ secrets.SCALER_TOKN }}"}
          - id: tell
            needs: [scale]
            slack: {text: "token ${{ secrets.SCALER_TOKEN }}"}
        """);
    CliTest.Run r = run("validate", "--config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(lines(r.err()))
        .contains(
            rb
                + ":7:44: steps[0].http.headers.Authorization: secrets.SCALER_TOKN: no secret \"SCALER_TOKN\" in runbooks.secrets of vigil.yaml (did you mean \"SCALER_TOKEN\"?)",
            rb
                + ":10:30: steps[1].slack.text: secrets.SCALER_TOKEN: secrets can be inserted only in http, check and exec steps");
    assertThat(r.err()).doesNotContain("t0k").doesNotContain(":6:");
  }

  @Test
  void validateRefusesARegexAlertmanagerWouldRefuseAtItsLineAndColumn() throws Exception {
    // RE2 (Alertmanager's engine) has no lookbehind nor backreferences; java.util.regex accepted
    // both
    Path config = dir.resolve("config/vigil.yaml");
    Files.createDirectories(config.getParent());
    Files.createDirectories(dir.resolve("runbooks"));
    Files.writeString(config, "runbooks:\n  dir: ../runbooks\n");
    Files.writeString(
        dir.resolve("config/teams.yaml"), Files.readString(Path.of("config/teams.yaml")));
    Path classification = dir.resolve("config/classification.yaml");
    Files.writeString(
        classification,
        """
        rules:
          - match: [ 'severity = "critical"', 'job =~ "(?<=x)y|(a)\\1"' ]
            severity: critical
        heartbeats:
          - match: [ 'alertname =~ "Watch(a)\\1g"' ]
        """);
    Path rb = dir.resolve("runbooks/lookbehind.yaml");
    Files.writeString(
        rb,
        """
        name: lookbehind
        match:
          - '{alertname="HighLatency", job=~"api(?<!-canary)"}'
        steps:
          - id: a
            wait: 1s
        """);
    CliTest.Run r = run("validate", "--config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(lines(r.err()))
        .contains(
            classification
                + ":2:48: rules[0].match[1]: bad matcher \"job =~ \"(?<=x)y|(a)\\1\"\": invalid regular expression"
                + " (RE2 syntax, as in Alertmanager): lookbehind (?<=...) is not supported (at character 9)",
            classification
                + ":5:37: heartbeats[0].match[0]: bad matcher \"alertname =~ \"Watch(a)\\1g\"\": invalid regular expression"
                + " (RE2 syntax, as in Alertmanager): backreference \\1 is not supported (at character 23)",
            rb
                + ":3:41: match[0]: bad matcher: invalid regular expression (RE2 syntax, as in Alertmanager): lookbehind (?<!...) is not supported");
  }

  @Test
  void validateRefusesAMissingPath() {
    CliTest.Run r = run("validate", "--config", CONFIG, "no/such/runbook.yaml");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("no/such/runbook.yaml:1:1: no such file or directory\n");
  }

  static List<String> lines(String s) {
    return s.lines().toList();
  }
}
