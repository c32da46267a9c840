package dev.vigil.notify;

import dev.vigil.incident.IncidentId;
import dev.vigil.oncall.TeamId;
import java.util.List;

/**
 * Something that should be sent: a page to a team for an incident at an escalation level, or a
 * handoff digest. Written to the outbox in the same transaction as the decision, delivered later.
 *
 * @param key idempotency key: enqueuing the same key twice stores one intent
 * @param incident null for a digest
 * @param level 1-based escalation level; 0 for a digest
 * @param channels the team's configured channel kinds ({@code pagerduty}, {@code slack}), in order
 * @param payload JSON text with what the message needs (incident title, severity, digest lists)
 */
public record NotificationIntent(String key, Kind kind, IncidentId incident, TeamId team, int level, List<String> channels,
    String payload) {

  public enum Kind {
    PAGE, DIGEST;

    public String wire() {
      return name().toLowerCase();
    }
  }

  public NotificationIntent {
    channels = List.copyOf(channels);
  }
}
