package dev.vigil.escalation;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import java.util.List;

/**
 * One decision about an incident's escalation, to be committed: move the state from {@code
 * expected} (null: none yet) to {@code next}, append the events, enqueue the intents. A transition
 * with a null {@code next} only appends its events (a note that nothing is paged).
 */
public record Transition(
    IncidentId incident,
    EscalationState expected,
    EscalationState next,
    List<TimelineEvent> events,
    List<NotificationIntent> intents) {
  public Transition {
    events = List.copyOf(events);
    intents = List.copyOf(intents);
  }

  static Transition note(IncidentId incident, TimelineEvent event) {
    return new Transition(incident, null, null, List.of(event), List.of());
  }
}
