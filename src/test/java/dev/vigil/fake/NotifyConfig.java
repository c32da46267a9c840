package dev.vigil.fake;

import dev.vigil.TestDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Config files for daemons wired to the fakes: vigil.yaml plus a teams.yaml with one team on call
 * all day.
 */
public final class NotifyConfig {
  public static final String ROUTING_KEY = "0123456789abcdef0123456789abcdef";

  private NotifyConfig() {}

  /**
   * Writes {@code dir/config/vigil.yaml} and {@code teams.yaml}.
   *
   * @param team the lines of team {@code eu} after its coverage, e.g. its {@code slack:} and {@code
   *     pagerduty:}
   * @param vigil extra vigil.yaml sections
   */
  public static Path write(Path dir, String team, String vigil) throws IOException {
    Path config = TestDaemon.writeConfig(dir, vigil);
    Files.writeString(
        dir.resolve("config/teams.yaml"),
        """
        teams:
          - id: eu
            region: emea
            timezone: Europe/Berlin
            coverage: [{ from: "00:00", to: "00:00" }]
        %s
        escalation:
          policies:
            default:
              - { notify: active, ackTimeout: 1h }
          bySeverity: { critical: default, error: default, warning: default, info: none }
        """
            .formatted(team.indent(4).stripTrailing()));
    return config;
  }

  public static String pagerDuty(String routingKey) {
    return "pagerduty: { routingKey: \"" + routingKey + "\" }";
  }

  public static String slack(String channel) {
    return "slack: { channel: \"" + channel + "\" }";
  }

  /** One critical alert as an Alertmanager webhook. */
  public static String criticalWebhook(String alertname) {
    return """
        {"version": "4", "groupKey": "{}:{alertname=\\"%s\\"}", "status": "firing", "receiver": "vigil",
         "commonLabels": {"alertname": "%s", "severity": "critical", "service": "checkout"},
         "alerts": [{"status": "firing", "labels": {"alertname": "%s", "severity": "critical", "service": "checkout",
                     "instance": "host-1"},
                     "annotations": {"summary": "checkout is down"}, "startsAt": "2026-11-29T05:00:00Z",
                     "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example/graph?g0.expr=up"}]}
        """
        .formatted(alertname, alertname, alertname);
  }
}
