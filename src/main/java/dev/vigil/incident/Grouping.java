package dev.vigil.incident;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import dev.vigil.alert.InstantText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Incident grouping for one ingest batch, decided in memory at one instant: which incident each
 * alert joins, opens, resolves or leaves, the incidents' titles and the timeline lines the batch
 * writes. It reads and writes nothing itself; a store feeds it the state it asks for and writes
 * what it decided.
 *
 * <p>Use, in this order: ask what to load ({@link #startsAtByFingerprint}, {@link #groupKeys}, then
 * {@link #incidentIdsToLoad}), hand over what the store holds ({@link #loadedAlert}, {@link
 * #loadedIncident}), {@link #decide}, give the new incidents their ids ({@link #assignIds}), then
 * read the outcome ({@link #occurrences}, {@link #touched}, {@link #timeline}, {@link #result}).
 * One instance per batch, on one thread. {@link #labels} and {@link #title} are the new-incident
 * rules on their own, for what plans incidents without a store ({@code vigil simulate}).
 *
 * <p>The rules (ADR 0004): a new firing alert joins the open incident of its group or opens one; a
 * repeat changes nothing; a resolved alert closes its occurrence, and an incident whose alerts are
 * all resolved is resolved; an occurrence firing again rejoins its group's open incident; a
 * resolved alert never seen firing joins its group's open incident if there is one, else none.
 */
public final class Grouping {
  /** Who the lines and resolutions that ingest writes are attributed to. */
  public static final String ACTOR = "alertmanager";

  /**
   * Receives the timeline lines of a batch, in order; each is at the batch's instant, by {@link
   * #ACTOR}. The incident is its number as {@link GroupedIncident#id} holds it (boxed, so that
   * writing a line allocates no number).
   */
  @FunctionalInterface
  public interface Lines {
    void line(Long incident, String kind, String text);
  }

  private final List<List<AlertIntake>> requests;
  private final Triage triage;
  private final long now;
  private final Map<String, AlertOccurrence> alerts =
      new LinkedHashMap<>(); // fingerprint + '\0' + startsAt; new ones in arrival order
  private final Map<String, AlertOccurrence> firingByFingerprint = new HashMap<>();
  private final Map<Long, GroupedIncident> incidentsById = new LinkedHashMap<>();
  private final Map<String, GroupedIncident> openByGroup = new HashMap<>();
  private final Set<GroupedIncident> touched = new LinkedHashSet<>(); // in the order first touched
  private final List<List<GroupedIncident>> perRequest = new ArrayList<>();
  private final Map<Alert, String> startsAtText = new IdentityHashMap<>();
  private final Map<String, Set<String>> startsAtByFingerprint = new LinkedHashMap<>();
  private final Set<AlertOccurrence> named =
      new LinkedHashSet<>(); // the occurrences the requests named

  /**
   * A batch of requests (each a list of alerts, in arrival order) grouped at {@code now},
   * classified by {@code triage}.
   */
  public Grouping(List<List<AlertIntake>> requests, Triage triage, Instant now) {
    this.requests = requests;
    this.triage = triage;
    this.now = now.toEpochMilli();
    // the starts as text, on the caller's thread: formatting an Instant is not free, and SQLite's
    // writer thread, which decides, is the one that limits ingest
    for (List<AlertIntake> r : requests) {
      for (AlertIntake a : r) {
        String startsAt = InstantText.of(a.alert().startsAt());
        startsAtText.put(a.alert(), startsAt);
        startsAtByFingerprint
            .computeIfAbsent(a.alert().fingerprint(), k -> new LinkedHashSet<>())
            .add(startsAt);
      }
    }
  }

  /** The batch's instant, in epoch milliseconds. */
  public long now() {
    return now;
  }

  // ---------------------------------------------------------------- what to load

  /**
   * The batch's fingerprints, each with the startsAt values named: load those occurrences and every
   * firing one.
   */
  public Map<String, Set<String>> startsAtByFingerprint() {
    return startsAtByFingerprint;
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
    for (AlertOccurrence a : alerts.values()) {
      if (a.incidentId != null && !incidentsById.containsKey(a.incidentId)) {
        ids.add(a.incidentId);
      }
    }
    return ids;
  }

  /** A stored occurrence: its incident's number (null for none) and its status. */
  public void loadedAlert(
      String fingerprint, String startsAt, Long incidentId, AlertStatus status) {
    AlertOccurrence a = new AlertOccurrence(fingerprint, startsAt, incidentId, status);
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
    GroupedIncident inc =
        new GroupedIncident(
            incident,
            incident.groupKey(),
            incident.status(),
            incident.alertCount(),
            incident.firingCount());
    incidentsById.put(id, inc);
    if (inc.status.isOpen()) {
      openByGroup.put(inc.groupKey, inc);
    }
  }

  // ---------------------------------------------------------------- deciding

  /** Applies every alert in arrival order to the in-memory picture. */
  public void decide() {
    for (List<AlertIntake> request : requests) {
      List<GroupedIncident> mine = new ArrayList<>();
      for (AlertIntake intake : request) {
        GroupedIncident inc = apply(intake);
        if (inc != null && !mine.contains(inc)) {
          mine.add(inc);
        }
      }
      perRequest.add(mine);
    }
  }

  private GroupedIncident apply(AlertIntake intake) {
    Alert alert = intake.alert();
    String startsAt = startsAtText.get(alert);
    if (intake.startsAtImplicit() && firingByFingerprint.containsKey(alert.fingerprint())) {
      startsAt =
          firingByFingerprint.get(alert.fingerprint())
              .startsAt; // continues the occurrence firing now
    }
    AlertOccurrence row = alerts.get(key(alert.fingerprint(), startsAt));
    if (row == null) {
      row = new AlertOccurrence(alert.fingerprint(), startsAt, null, alert.status());
      row.isNew = true;
      row.latest = alert;
      alerts.put(key(row.fingerprint, startsAt), row);
      named.add(row);
      if (alert.status() == AlertStatus.FIRING) {
        firingByFingerprint.put(row.fingerprint, row);
        GroupedIncident inc = openIncident(intake);
        attach(row, inc, true);
        return inc;
      }
      // A resolved alert never seen firing (dropped by max_alerts, or sent before Vigil ran):
      // recorded in its group's open incident if there is one, else kept without an incident.
      GroupedIncident inc = openByGroup.get(intake.groupKey());
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
      GroupedIncident inc = incidentOf(row);
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
    GroupedIncident previous = incidentOf(row);
    GroupedIncident inc = openIncident(intake);
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
  private GroupedIncident incidentOf(AlertOccurrence row) {
    return row.pendingIncident != null
        ? row.pendingIncident
        : row.incidentId == null ? null : incidentsById.get(row.incidentId);
  }

  private GroupedIncident openIncident(AlertIntake intake) {
    GroupedIncident inc = openByGroup.get(intake.groupKey());
    if (inc == null) {
      inc = new GroupedIncident(null, intake.groupKey(), IncidentStatus.TRIGGERED, 0, 0);
      Map<String, String> labels = labels(intake);
      inc.labels = labels;
      inc.triage = triage.triage(labels, Instant.ofEpochMilli(now));
      inc.title = title(intake.alert());
      openByGroup.put(intake.groupKey(), inc);
      touched.add(inc);
    }
    return inc;
  }

  private void attach(AlertOccurrence row, GroupedIncident inc, boolean firing) {
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
    for (GroupedIncident inc : touched) {
      if (inc.isNew()) {
        n++;
      }
    }
    return n;
  }

  /** Gives the new incidents their ids, in the order they were opened. */
  public void assignIds(List<Long> ids) {
    int i = 0;
    for (GroupedIncident inc : touched) {
      if (inc.isNew()) {
        inc.id = ids.get(i++);
      }
    }
  }

  // ---------------------------------------------------------------- the outcome

  /** Every occurrence known to the batch, loaded ones first, then new ones in arrival order. */
  public Collection<AlertOccurrence> occurrences() {
    return Collections.unmodifiableCollection(alerts.values());
  }

  /** The incidents the batch opened or changed, in the order first touched. */
  public Collection<GroupedIncident> touched() {
    return Collections.unmodifiableCollection(touched);
  }

  /**
   * The batch's timeline lines, per incident in the order first touched: "opened", then one line
   * for the alerts firing, one for the alerts resolved, and "resolved" when the batch resolves it.
   */
  public void timeline(Lines lines) {
    for (GroupedIncident inc : touched) {
      if (inc.isNew()) {
        lines.line(
            inc.id,
            "opened",
            "opened: "
                + inc.title
                + " (severity "
                + inc.triage.severity().wire()
                + (inc.triage.team() == null ? "" : ", team " + inc.triage.team())
                + (inc.triage.drop() ? ", recorded only" : "")
                + ")");
      }
      if (!inc.added.isEmpty()) {
        lines.line(
            inc.id, "alert", count(inc.added.size(), "alert") + " firing: " + names(inc.added));
      }
      if (!inc.resolved.isEmpty()) {
        lines.line(
            inc.id,
            "alert-resolved",
            count(inc.resolved.size(), "alert") + " resolved: " + names(inc.resolved));
      }
      if (inc.resolvedNow()) {
        lines.line(
            inc.id, "resolved", "resolved: all " + count(inc.alertCount, "alert") + " resolved");
      }
    }
  }

  /**
   * What the batch did: the incidents per request, the events in order, and every named occurrence
   * as it now stands.
   */
  public IngestResult result() {
    List<List<IncidentId>> ids = new ArrayList<>();
    for (List<GroupedIncident> r : perRequest) {
      ids.add(r.stream().map(i -> new IncidentId(i.id)).toList());
    }
    List<IncidentEvent> events = new ArrayList<>();
    for (GroupedIncident inc : touched) {
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
    for (AlertOccurrence a : named) {
      Long incident = a.incident();
      stored.add(
          new IngestResult.StoredState(
              a.fingerprint,
              a.startsAt,
              a.status,
              incident == null ? null : new IncidentId(incident)));
    }
    return new IngestResult(ids, events, stored);
  }

  /** The incident as the commit leaves it. */
  private Incident after(GroupedIncident inc) {
    Instant at = Instant.ofEpochMilli(now);
    boolean resolvedNow = inc.resolvedNow();
    if (inc.isNew()) {
      return new Incident(
          new IncidentId(inc.id),
          inc.status,
          inc.triage.severity(),
          inc.triage.type(),
          inc.triage.team(),
          inc.title,
          inc.groupKey,
          inc.labels,
          inc.alertCount,
          inc.firingCount,
          at,
          null,
          null,
          resolvedNow ? at : null,
          resolvedNow ? ACTOR : null,
          inc.triage.drop());
    }
    Incident l = inc.loaded;
    return new Incident(
        l.id(),
        resolvedNow ? IncidentStatus.RESOLVED : l.status(),
        l.severity(),
        l.type(),
        l.team(),
        l.title(),
        l.groupKey(),
        l.labels(),
        inc.alertCount,
        inc.firingCount,
        l.openedAt(),
        l.acknowledgedAt(),
        l.acknowledgedBy(),
        resolvedNow ? at : l.resolvedAt(),
        resolvedNow ? ACTOR : l.resolvedBy(),
        l.dropped());
  }

  // ---------------------------------------------------------------- the rules for a new incident,
  // and wording

  /**
   * The labels an incident opened by this alert is classified by: the group's labels, or the
   * alert's own when the group has none.
   */
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
