package dev.vigil.store;

import dev.vigil.incident.AlertIntake;
import java.util.AbstractList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * One request's alerts with the JSON text of their label and annotation maps, made by {@link
 * SqlIncidentStore#prepare} on the thread the request arrived on. The {@link IngestPlan} of a batch
 * then takes the text instead of writing it: on SQLite the plan is made on the one writer's thread
 * (ADR 0150), so the text is written beside the writer rather than by it.
 */
final class PreparedAlerts extends AbstractList<AlertIntake> implements RandomAccess {
  private final List<AlertIntake> alerts;

  /** Each map of the alerts, by identity, as JSON text. */
  private final Map<Map<String, String>, String> json = new IdentityHashMap<>();

  PreparedAlerts(List<AlertIntake> alerts) {
    this.alerts = List.copyOf(alerts);
    for (AlertIntake intake : this.alerts) {
      encode(intake.alert().labels());
      encode(intake.alert().annotations());
      encode(intake.groupLabels());
    }
  }

  private void encode(Map<String, String> map) {
    if (!json.containsKey(map)) {
      json.put(map, Json.write(map));
    }
  }

  /** Adds this request's texts to {@code into}. */
  void texts(Map<Map<String, String>, String> into) {
    into.putAll(json);
  }

  @Override
  public AlertIntake get(int index) {
    return alerts.get(index);
  }

  @Override
  public int size() {
    return alerts.size();
  }
}
