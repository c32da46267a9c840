package dev.vigil.alert;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
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

  private static final Class<?> FROZEN =
      Collections.unmodifiableSortedMap(new TreeMap<String, String>()).getClass();

  public Alert {
    labels = frozen(labels);
    annotations = frozen(annotations);
  }

  /**
   * {@code map} sorted by key (written as JSON in that order without another copy) and
   * unmodifiable. A map this returned is returned as it is, so an alert built from another's
   * labels, or from labels a parser froze, shares them instead of copying them. Whoever freezes a
   * map must not keep a way to change it.
   */
  private static Map<String, String> frozen(Map<String, String> map) {
    if (map.getClass() == FROZEN && ((SortedMap<String, String>) map).comparator() == null) {
      return map;
    }
    return Collections.unmodifiableSortedMap(new TreeMap<>(map));
  }

  public String alertname() {
    return labels.getOrDefault("alertname", "");
  }
}
