package dev.vigil.alert;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alert as Alertmanager describes it. Its identity is {@code fingerprint + startsAt}: the same
 * pair arriving again is a repeat, a new {@code startsAt} is a new occurrence of the same alert.
 *
 * @param endsAt null while the alert has no end (Alertmanager sends year 1 for that)
 * @param generatorUrl empty when none was given
 */
public record Alert(
    String fingerprint,
    Map<String, String> labels,
    Map<String, String> annotations,
    AlertStatus status,
    Instant startsAt,
    Instant endsAt,
    String generatorUrl) {

  public Alert {
    // sorted by key: written as JSON in that order without another copy
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    annotations = Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
  }

  public String alertname() {
    return labels.getOrDefault("alertname", "");
  }
}
