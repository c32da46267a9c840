package dev.vigil.incident;

import dev.vigil.alert.Alert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An incident a {@link Grouping}'s batch touched: one loaded (with its row as loaded) or one the
 * batch opens. Read-only outside the package; used on the grouping's thread only.
 */
public final class GroupedIncident {
  Long id; // null until assigned, for new incidents
  final Incident loaded; // null for new incidents
  final String groupKey;
  IncidentStatus status;
  int alertCount;
  int firingCount;
  final List<Alert> added = new ArrayList<>();
  final List<Alert> resolved = new ArrayList<>();
  // only for new incidents
  Triage.Outcome triage;
  String title;
  Map<String, String> labels;

  GroupedIncident(
      Incident loaded, String groupKey, IncidentStatus status, int alertCount, int firingCount) {
    this.loaded = loaded;
    this.id = loaded == null ? null : loaded.id().number();
    this.groupKey = groupKey;
    this.status = status;
    this.alertCount = alertCount;
    this.firingCount = firingCount;
  }

  /** The incident's number; null for a new incident before {@link Grouping#assignIds}. */
  public Long id() {
    return id;
  }

  public boolean isNew() {
    return loaded == null;
  }

  public String groupKey() {
    return groupKey;
  }

  public IncidentStatus status() {
    return status;
  }

  public int alertCount() {
    return alertCount;
  }

  public int firingCount() {
    return firingCount;
  }

  /** How many alerts the batch added to (or, if negative, moved out of) a loaded incident. */
  public int alertCountDelta() {
    return alertCount - loaded.alertCount();
  }

  public int firingCountDelta() {
    return firingCount - loaded.firingCount();
  }

  /**
   * True when the batch resolves the incident (it was open, or is new, and no alert of it fires
   * now).
   */
  public boolean resolvedNow() {
    return status == IncidentStatus.RESOLVED && (isNew() || loaded.status().isOpen());
  }

  /** A new incident's classification; null for a loaded one. */
  public Triage.Outcome triage() {
    return triage;
  }

  /** A new incident's title; null for a loaded one. */
  public String title() {
    return title;
  }

  /** A new incident's labels; null for a loaded one. */
  public Map<String, String> labels() {
    return labels;
  }

  /** The alerts that fire in this incident since this batch (new or firing again). */
  public List<Alert> added() {
    return added;
  }

  /** The alerts of this incident that the batch resolved (or recorded resolved). */
  public List<Alert> resolved() {
    return resolved;
  }
}
