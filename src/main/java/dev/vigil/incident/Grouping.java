package dev.vigil.incident;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.classify.Triage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Incident grouping for one ingest batch, decided in memory at one instant: which incident each
 * alert joins, opens, resolves or leaves, the incidents' titles and the timeline lines the batch
 * writes. It reads and writes nothing itself; a store (or a dry run) feeds it the state it asks for
 * and writes what it decided.
 *
 * <p>Use, in this order: ask what to load ({@link #startsAtByFingerprint}, {@link #groupKeys}, then
 * {@link #incidentIdsToLoad}), hand over what the store holds ({@link #loadedAlert},
 * {@link #loadedIncident}), {@link #decide}, give the new incidents their ids ({@link #assignIds}),
 * then read the outcome ({@link #occurrences}, {@link #touched}, {@link #timeline}, {@link #result}).
 * A dry run against an empty store skips the loading and the ids. One instance per batch, on one
 * thread.
 *
 * <p>The rules (ADR 0004): a new firing alert joins the open incident of its group or opens one; a
 * repeat changes nothing; a resolved alert closes its occurrence, and an incident whose alerts are all
 * resolved is resolved; an occurrence firing again rejoins its group's open incident; a resolved
 * alert never seen firing joins its group's open incident if there is one, else none.
 */
public final class Grouping {
  /** Who the lines and resolutions that ingest writes are attributed to. */
  public static final String ACTOR = "alertmanager";

  /** An alert occurrence (fingerprint and startsAt) as known before and after the batch. */
  public static final class Occurrence {
    final String fingerprint;
    final String startsAt;
    Long incidentId;
    AlertStatus status;
    boolean isNew;
    boolean changed;
    Alert latest;
    IncidentState pendingIncident;

    Occurrence(String fingerprint, String startsAt, Long incidentId, AlertStatus status) {
      this.fingerprint = fingerprint;
      this.startsAt = startsAt;
      this.incidentId = incidentId;
      this.status = status;
    }

    public String fingerprint() {
      return fingerprint;
    }

    public String startsAt() {
      return startsAt;
    }

    public AlertStatus status() {
      return status;
    }

    /** The incident's number, or null when it belongs to none (or to a new incident before {@link Grouping#assignIds}). */
    public Long incident() {
      return pendingIncident != null ? pendingIncident.id : incidentId;
    }

    /** True when the store does not hold this occurrence yet. */
    public boolean isNew() {
      return isNew;
    }

    /** True when a stored occurrence's status changed in this batch. */
    public boolean changed() {
      return changed;
    }

    /** The alert as last received in this batch; null for an occurrence the batch did not change. */
    public Alert latest() {
      return latest;
    }
  }

  /** An incident touched by the batch: one loaded (with its row as loaded) or one the batch opens. */
  public static final class IncidentState {
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

    IncidentState(Incident loaded, String groupKey, IncidentStatus status, int alertCount, int firingCount) {
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

    /** True when the batch resolves the incident (it was open, or is new, and no alert of it fires now). */
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

  /**
   * Receives the timeline lines of a batch, in order; each is at the batch's instant, by {@link #ACTOR}.
   * The incident is its number as {@link IncidentState#id} holds it (boxed, so that writing a line
   * allocates no number).
   */
  @FunctionalInterface
  public interface Lines {
    void line(Long incident, String kind, String text);
  }

  private final List<List<AlertIntake>> requests;
  private final Triage triage;
  private final long now;
  private final Map<String, Occurrence> alerts = new LinkedHashMap<>(); // fingerprint + '\0' + startsAt; new ones in arrival order
  private final Map<String, Occurrence> firingByFingerprint = new HashMap<>();
  private final Map<Long, IncidentState> incidentsById = new LinkedHashMap<>();
  private final Map<String, IncidentState> openByGroup = new HashMap<>();
  private final Set<IncidentState> touched = new LinkedHashSet<>(); // in the order first touched
  private final List<List<IncidentState>> perRequest = new ArrayList<>();
  private final Set<Occurrence> named = new LinkedHashSet<>(); // the occurrences the requests named

  /** A batch of requests (each a list of alerts, in arrival order) grouped at {@code now}, classified by {@code triage}. */
  public Grouping(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    this.requests = requests;
    this.triage = triage;
    this.now = now.toEpochMilli();
  }

  /** The batch's instant, in epoch milliseconds. */
  public long now() {
    return now;
  }

  // ---------------------------------------------------------------- what to load

  /** The batch's fingerprints, each with the startsAt values named: load those occurrences and every firing one. */
  public Map<String, Set<String>> startsAtByFingerprint() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (List<AlertIntake> r : requests) {
      for (AlertIntake a : r) {
        out.computeIfAbsent(a.alert().fingerprint(), k -> new LinkedHashSet<>()).add(a.alert().startsAt().toString());
      }
    }
    return out;
  }

  /** The groups whose open incident must be loaded. */
  public Set<String> groupKeys() {
    Set<String> groups = new LinkedHashSet<>();
    for (List<AlertIntake> r : requests) {
      for (AlertIntake a : r) {
        groups.add(a.groupKey());
      }
    }
    return groups;
  }

  /** After the alerts are loaded: the incidents they belong to, not loaded yet. */
  public Set<Long> incidentIdsToLoad() {
    Set<Long> ids = new LinkedHashSet<>();
    for (Occurrence a : alerts.values()) {
      if (a.incidentId != null && !incidentsById.containsKey(a.incidentId)) {
        ids.add(a.incidentId);
      }
    }
    return ids;
  }

  /** A stored occurrence: its incident's number (null for none) and its status. */
  public void loadedAlert(String fingerprint, String startsAt, Long incidentId, AlertStatus status) {
    Occurrence a = new Occurrence(fingerprint, startsAt, incidentId, status);
    alerts.put(key(fingerprint, startsAt), a);
    if (a.status == AlertStatus.FIRING) {
      firingByFingerprint.put(a.fingerprint, a);
    }
  }

  /** A stored incident; one handed over twice counts once. */
  public void loadedIncident(Incident incident) {
    long id = incident.id().number();
    if (incidentsById.containsKey(id)) {
      return;
    }
    IncidentState inc = new IncidentState(incident, incident.groupKey(), incident.status(), incident.alertCount(), incident.firingCount());
    incidentsById.put(id, inc);
    if (inc.status.isOpen()) {
      openByGroup.put(inc.groupKey, inc);
    }
  }

  // ---------------------------------------------------------------- deciding

  /** Applies every alert in arrival order to the in-memory picture. */
  public void decide() {
    for (List<AlertIntake> request : requests) {
      List<IncidentState> mine = new ArrayList<>();
      for (AlertIntake intake : request) {
        IncidentState inc = apply(intake);
        if (inc != null && !mine.contains(inc)) {
          mine.add(inc);
        }
      }
      perRequest.add(mine);
    }
  }

  private IncidentState apply(AlertIntake intake) {
    Alert alert = intake.alert();
    String startsAt = alert.startsAt().toString();
    if (intake.startsAtImplicit() && firingByFingerprint.containsKey(alert.fingerprint())) {
      startsAt = firingByFingerprint.get(alert.fingerprint()).startsAt; // continues the occurrence firing now
    }
    Occurrence row = alerts.get(key(alert.fingerprint(), startsAt));
    if (row == null) {
      row = new Occurrence(alert.fingerprint(), startsAt, null, alert.status());
      row.isNew = true;
      row.latest = alert;
      alerts.put(key(row.fingerprint, startsAt), row);
      named.add(row);
      if (alert.status() == AlertStatus.FIRING) {
        firingByFingerprint.put(row.fingerprint, row);
        IncidentState inc = openIncident(intake);
        attach(row, inc, true);
        return inc;
      }
      // A resolved alert never seen firing (dropped by max_alerts, or sent before Vigil ran):
      // recorded in its group's open incident if there is one, else kept without an incident.
      IncidentState inc = openByGroup.get(intake.groupKey());
      if (inc != null) {
        attach(row, inc, false);
      }
      return inc;
    }
    named.add(row);
    if (row.status == alert.status()) {
      return incidentOf(row); // a repeat: nothing changes
    }
    row.changed = true;
    row.latest = alert;
    if (alert.status() == AlertStatus.RESOLVED) {
      row.status = AlertStatus.RESOLVED;
      firingByFingerprint.remove(row.fingerprint);
      IncidentState inc = incidentOf(row);
      if (inc != null) {
        inc.firingCount--;
        inc.resolved.add(alert);
        touched.add(inc);
        if (inc.firingCount <= 0 && inc.status.isOpen()) {
          inc.status = IncidentStatus.RESOLVED;
          openByGroup.remove(inc.groupKey, inc);
        }
      }
      return inc;
    }
    // Resolved before, firing again with the same startsAt: it rejoins its group's open incident.
    row.status = AlertStatus.FIRING;
    firingByFingerprint.put(row.fingerprint, row);
    IncidentState previous = incidentOf(row);
    IncidentState inc = openIncident(intake);
    if (previous == inc) {
      inc.firingCount++;
      inc.added.add(alert);
      touched.add(inc);
    } else {
      if (previous != null) {
        previous.alertCount--;
        touched.add(previous);
      }
      attach(row, inc, true);
    }
    return inc;
  }

  /** The incident an occurrence belongs to (one this batch opened, or one loaded), or null. */
  private IncidentState incidentOf(Occurrence row) {
    return row.pendingIncident != null ? row.pendingIncident : row.incidentId == null ? null : incidentsById.get(row.incidentId);
  }

  private IncidentState openIncident(AlertIntake intake) {
    IncidentState inc = openByGroup.get(intake.groupKey());
    if (inc == null) {
      inc = new IncidentState(null, intake.groupKey(), IncidentStatus.TRIGGERED, 0, 0);
      Map<String, String> labels = labels(intake);
      inc.labels = labels;
      inc.triage = triage.triage(labels, Instant.ofEpochMilli(now));
      inc.title = title(intake.alert());
      openByGroup.put(intake.groupKey(), inc);
      touched.add(inc);
    }
    return inc;
  }

  private void attach(Occurrence row, IncidentState inc, boolean firing) {
    row.incidentId = inc.id; // null for new incidents: resolved after allocation
    row.pendingIncident = inc;
    inc.alertCount++;
    if (firing) {
      inc.firingCount++;
      inc.added.add(row.latest);
    } else {
      inc.resolved.add(row.latest);
    }
    touched.add(inc);
  }

  /** How many new incidents need an id. */
  public int newIncidents() {
    int n = 0;
    for (IncidentState inc : touched) {
      if (inc.isNew()) {
        n++;
      }
    }
    return n;
  }

  /** Gives the new incidents their ids, in the order they were opened. */
  public void assignIds(List<Long> ids) {
    int i = 0;
    for (IncidentState inc : touched) {
      if (inc.isNew()) {
        inc.id = ids.get(i++);
      }
    }
  }

  // ---------------------------------------------------------------- the outcome

  /** Every occurrence known to the batch, loaded ones first, then new ones in arrival order. */
  public Collection<Occurrence> occurrences() {
    return Collections.unmodifiableCollection(alerts.values());
  }

  /** The incidents the batch opened or changed, in the order first touched. */
  public Collection<IncidentState> touched() {
    return Collections.unmodifiableCollection(touched);
  }

  /**
   * The batch's timeline lines, per incident in the order first touched: "opened", then one line for
   * the alerts firing, one for the alerts resolved, and "resolved" when the batch resolves it.
   */
  public void timeline(Lines lines) {
    for (IncidentState inc : touched) {
      if (inc.isNew()) {
        lines.line(inc.id, "opened", "opened: " + inc.title + " (severity " + inc.triage.severity().wire()
            + (inc.triage.team() == null ? "" : ", team " + inc.triage.team()) + (inc.triage.drop() ? ", recorded only" : "") + ")");
      }
      if (!inc.added.isEmpty()) {
        lines.line(inc.id, "alert", count(inc.added.size(), "alert") + " firing: " + names(inc.added));
      }
      if (!inc.resolved.isEmpty()) {
        lines.line(inc.id, "alert-resolved", count(inc.resolved.size(), "alert") + " resolved: " + names(inc.resolved));
      }
      if (inc.resolvedNow()) {
        lines.line(inc.id, "resolved", "resolved: all " + count(inc.alertCount, "alert") + " resolved");
      }
    }
  }

  /** What the batch did: the incidents per request, the events in order, and every named occurrence as it now stands. */
  public IngestResult result() {
    List<List<IncidentId>> ids = new ArrayList<>();
    for (List<IncidentState> r : perRequest) {
      ids.add(r.stream().map(i -> new IncidentId(i.id)).toList());
    }
    List<IncidentEvent> events = new ArrayList<>();
    for (IncidentState inc : touched) {
      Incident after = after(inc);
      boolean open = inc.status.isOpen();
      if (inc.isNew()) {
        events.add(new IncidentEvent.Opened(after, inc.added));
      }
      List<Alert> firing = inc.isNew() ? List.of() : inc.added;
      List<Alert> resolved = open ? inc.resolved : List.of();
      if (!firing.isEmpty() || !resolved.isEmpty()) {
        events.add(new IncidentEvent.AlertsChanged(after, firing, resolved));
      }
      if (inc.resolvedNow()) {
        events.add(new IncidentEvent.Resolved(after, ACTOR));
      }
    }
    List<IngestResult.StoredState> stored = new ArrayList<>(named.size());
    for (Occurrence a : named) {
      Long incident = a.incident();
      stored.add(new IngestResult.StoredState(a.fingerprint, a.startsAt, a.status, incident == null ? null : new IncidentId(incident)));
    }
    return new IngestResult(ids, events, stored);
  }

  /** The incident as the commit leaves it. */
  private Incident after(IncidentState inc) {
    Instant at = Instant.ofEpochMilli(now);
    boolean resolvedNow = inc.resolvedNow();
    if (inc.isNew()) {
      return new Incident(new IncidentId(inc.id), inc.status, inc.triage.severity(), inc.triage.type(), inc.triage.team(), inc.title,
          inc.groupKey, inc.labels, inc.alertCount, inc.firingCount, at, null, null, resolvedNow ? at : null,
          resolvedNow ? ACTOR : null, inc.triage.drop());
    }
    Incident l = inc.loaded;
    return new Incident(l.id(), resolvedNow ? IncidentStatus.RESOLVED : l.status(), l.severity(), l.type(), l.team(), l.title(),
        l.groupKey(), l.labels(), inc.alertCount, inc.firingCount, l.openedAt(), l.acknowledgedAt(), l.acknowledgedBy(),
        resolvedNow ? at : l.resolvedAt(), resolvedNow ? ACTOR : l.resolvedBy(), l.dropped());
  }

  // ---------------------------------------------------------------- the rules for a new incident, and wording

  /** The labels an incident opened by this alert is classified by: the group's labels, or the alert's own when the group has none. */
  public static Map<String, String> labels(AlertIntake intake) {
    return intake.groupLabels().isEmpty() ? intake.alert().labels() : intake.groupLabels();
  }

  /**
   * The title of an incident opened by this alert: its summary annotation (cut to 200 characters),
   * else "alertname on instance", else the alertname, else "alert " and the fingerprint.
   */
  public static String title(Alert a) {
    String summary = a.annotations().get("summary");
    if (summary != null && !summary.isBlank()) {
      return summary.length() > 200 ? summary.substring(0, 197) + "..." : summary;
    }
    String instance = a.labels().get("instance");
    String name = a.alertname().isEmpty() ? "alert " + a.fingerprint() : a.alertname();
    return instance == null ? name : name + " on " + instance;
  }

  private static String key(String fingerprint, String startsAt) {
    return fingerprint + '\0' + startsAt;
  }

  /** Up to five "name on instance", then "...". */
  private static String names(List<Alert> alerts) {
    List<String> names = new ArrayList<>();
    for (Alert a : alerts) {
      if (names.size() == 5) {
        names.add("...");
        break;
      }
      String instance = a.labels().get("instance");
      names.add(a.alertname() + (instance == null ? "" : " on " + instance));
    }
    return String.join(", ", names);
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
