package dev.vigil.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.alert.Alert;
import dev.vigil.alert.AlertStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Incident grouping decided at fixed instants, with the store's state handed over by hand: no
 * store, no daemon.
 */
class GroupingTest {
  static final Instant T = Instant.parse("2026-03-01T02:59:59.500Z");
  static final Instant STARTED = Instant.parse("2026-03-01T02:50:00Z");
  static final Instant LATER = Instant.parse("2026-03-01T02:58:00Z");

  /**
   * Classifies by the "severity" and "team" labels, drops Watchdog, and remembers what it was
   * asked.
   */
  final List<String> triaged = new ArrayList<>();

  final Triage triage =
      (labels, now) -> {
        triaged.add(new TreeMap<>(labels) + " at " + now); // sorted: Map.of has no stable order
        return new Triage.Outcome(
            Severity.parse(labels.get("severity")).orElse(Severity.WARNING),
            labels.get("type"),
            labels.get("team"),
            "Watchdog".equals(labels.get("alertname")));
      };

  static Alert alert(
      String name,
      String instance,
      AlertStatus status,
      Instant startsAt,
      Map<String, String> annotations) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (name != null) {
      labels.put("alertname", name);
    }
    if (instance != null) {
      labels.put("instance", instance);
    }
    labels.put("severity", "critical");
    return new Alert(
        "fp-" + name + "-" + instance, labels, annotations, status, startsAt, null, "");
  }

  static Alert firing(String name, String instance) {
    return alert(name, instance, AlertStatus.FIRING, STARTED, Map.of());
  }

  static Alert resolved(String name, String instance) {
    return alert(name, instance, AlertStatus.RESOLVED, STARTED, Map.of());
  }

  static AlertIntake in(String group, Alert a) {
    return new AlertIntake(a, group, Map.of("team", "db", "severity", "critical"), false);
  }

  static Incident stored(long id, String group, IncidentStatus status, int alerts, int firing) {
    return new Incident(
        new IncidentId(id),
        status,
        Severity.CRITICAL,
        null,
        "db",
        "stored title",
        group,
        Map.of("team", "db"),
        alerts,
        firing,
        STARTED,
        null,
        null,
        status == IncidentStatus.RESOLVED ? LATER : null,
        status == IncidentStatus.RESOLVED ? "ann" : null,
        false);
  }

  Grouping grouping(List<List<AlertIntake>> requests) {
    return new Grouping(requests, triage, T);
  }

  /** Runs the batch with what the store is said to hold; new incidents get ids from 100. */
  static Grouping decided(Grouping g) {
    g.decide();
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < g.newIncidents(); i++) {
      ids.add(100L + i);
    }
    g.assignIds(ids);
    return g;
  }

  static List<String> lines(Grouping g) {
    List<String> out = new ArrayList<>();
    g.timeline((incident, kind, text) -> out.add(incident + " " + kind + ": " + text));
    return out;
  }

  static GroupedIncident touched(Grouping g, long id) {
    return g.touched().stream().filter(i -> i.id() == id).findFirst().orElseThrow();
  }

  @Test
  void aFiringAlertOfANewGroupOpensAnIncidentClassifiedByTheGroupLabelsAtTheBatchInstant() {
    Grouping g = decided(grouping(List.of(List.of(in("g1", firing("DiskFull", "db-1:9100"))))));

    assertThat(triaged).containsExactly("{severity=critical, team=db} at " + T);
    GroupedIncident inc = touched(g, 100);
    assertThat(inc.isNew()).isTrue();
    assertThat(inc.status()).isEqualTo(IncidentStatus.TRIGGERED);
    assertThat(inc.title()).isEqualTo("DiskFull on db-1:9100");
    assertThat(inc.alertCount()).isEqualTo(1);
    assertThat(inc.firingCount()).isEqualTo(1);
    assertThat(lines(g))
        .containsExactly(
            "100 opened: opened: DiskFull on db-1:9100 (severity critical, team db)",
            "100 alert: 1 alert firing: DiskFull on db-1:9100");
    IngestResult r = g.result();
    assertThat(r.incidentsPerRequest()).containsExactly(List.of(new IncidentId(100)));
    assertThat(r.events()).hasSize(1);
    IncidentEvent.Opened opened = (IncidentEvent.Opened) r.events().get(0);
    assertThat(opened.incident().openedAt()).isEqualTo(T);
    assertThat(opened.incident().groupKey()).isEqualTo("g1");
    assertThat(r.stored())
        .containsExactly(
            new IngestResult.StoredState(
                "fp-DiskFull-db-1:9100",
                STARTED.toString(),
                AlertStatus.FIRING,
                new IncidentId(100)));
  }

  @Test
  void anAlertOfAGroupWithoutGroupLabelsIsClassifiedByItsOwnLabelsAndADroppedOneIsRecordedOnly() {
    Alert watchdog = firing("Watchdog", null);
    Grouping g =
        decided(grouping(List.of(List.of(new AlertIntake(watchdog, "alert:fp", Map.of(), false)))));

    assertThat(triaged).containsExactly("{alertname=Watchdog, severity=critical} at " + T);
    assertThat(lines(g))
        .containsExactly(
            "100 opened: opened: Watchdog (severity critical, recorded only)",
            "100 alert: 1 alert firing: Watchdog");
    assertThat(((IncidentEvent.Opened) g.result().events().get(0)).incident().dropped()).isTrue();
  }

  @Test
  void aNewFiringAlertJoinsItsGroupsOpenIncident() {
    Grouping g = grouping(List.of(List.of(in("g1", firing("DiskFull", "db-2:9100")))));
    g.loadedIncident(stored(7, "g1", IncidentStatus.ACKNOWLEDGED, 1, 1));
    decided(g);

    assertThat(triaged).isEmpty();
    assertThat(g.newIncidents()).isZero();
    GroupedIncident inc = touched(g, 7);
    assertThat(inc.alertCountDelta()).isEqualTo(1);
    assertThat(inc.firingCountDelta()).isEqualTo(1);
    assertThat(inc.resolvedNow()).isFalse();
    assertThat(lines(g)).containsExactly("7 alert: 1 alert firing: DiskFull on db-2:9100");
    IncidentEvent.AlertsChanged changed = (IncidentEvent.AlertsChanged) g.result().events().get(0);
    assertThat(changed.incident().status()).isEqualTo(IncidentStatus.ACKNOWLEDGED);
    assertThat(changed.incident().alertCount()).isEqualTo(2);
    assertThat(changed.firing()).extracting(Alert::alertname).containsExactly("DiskFull");
  }

  @Test
  void severalAlertsOfOneGroupInABatchOpenOneIncidentAndTheLineNamesFiveThenEllipsis() {
    List<AlertIntake> first = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      first.add(in("g1", firing("NodeDown", "n" + i)));
    }
    List<AlertIntake> second = new ArrayList<>();
    for (int i = 5; i <= 7; i++) {
      second.add(in("g1", firing("NodeDown", "n" + i)));
    }
    second.add(in("g1", firing("NodeDown", "n1"))); // a repeat of the first request's alert
    second.add(in("g2", firing("HighLatency", null)));
    Grouping g = decided(grouping(List.of(first, second)));

    assertThat(g.newIncidents()).isEqualTo(2);
    assertThat(touched(g, 100).alertCount()).isEqualTo(7);
    assertThat(lines(g))
        .containsExactly(
            "100 opened: opened: NodeDown on n1 (severity critical, team db)",
            "100 alert: 7 alerts firing: NodeDown on n1, NodeDown on n2, NodeDown on n3, NodeDown on n4, NodeDown on n5, ...",
            "101 opened: opened: HighLatency (severity critical, team db)",
            "101 alert: 1 alert firing: HighLatency");
    IngestResult r = g.result();
    assertThat(r.incidentsPerRequest())
        .containsExactly(
            List.of(new IncidentId(100)), List.of(new IncidentId(100), new IncidentId(101)));
    assertThat(r.stored()).hasSize(8); // each occurrence once, the repeat included
    assertThat(g.occurrences()).filteredOn(AlertOccurrence::isNew).hasSize(8);
  }

  @Test
  void aRepeatOfAStoredOccurrenceChangesNothing() {
    Alert a = firing("DiskFull", "db-1:9100");
    Grouping g = grouping(List.of(List.of(in("g1", a))));
    g.loadedAlert(a.fingerprint(), STARTED.toString(), 7L, AlertStatus.FIRING);
    assertThat(g.incidentIdsToLoad()).containsExactly(7L);
    g.loadedIncident(stored(7, "g1", IncidentStatus.TRIGGERED, 1, 1));
    decided(g);

    assertThat(g.touched()).isEmpty();
    assertThat(lines(g)).isEmpty();
    assertThat(g.occurrences()).noneMatch(o -> o.isNew() || o.changed());
    IngestResult r = g.result();
    assertThat(r.events()).isEmpty();
    assertThat(r.incidentsPerRequest()).containsExactly(List.of(new IncidentId(7)));
  }

  @Test
  void theLastFiringAlertResolvedResolvesTheIncidentByAlertmanagerAtTheBatchInstant() {
    Alert a = resolved("DiskFull", "db-1:9100");
    Grouping g = grouping(List.of(List.of(in("g1", a))));
    g.loadedAlert(a.fingerprint(), STARTED.toString(), 7L, AlertStatus.FIRING);
    g.loadedIncident(stored(7, "g1", IncidentStatus.TRIGGERED, 1, 1));
    decided(g);

    GroupedIncident inc = touched(g, 7);
    assertThat(inc.resolvedNow()).isTrue();
    assertThat(inc.firingCountDelta()).isEqualTo(-1);
    assertThat(inc.alertCountDelta()).isZero();
    assertThat(lines(g))
        .containsExactly(
            "7 alert-resolved: 1 alert resolved: DiskFull on db-1:9100",
            "7 resolved: resolved: all 1 alert resolved");
    List<IncidentEvent> events = g.result().events();
    assertThat(events).hasSize(1); // a resolved incident's alert changes are told by Resolved alone
    IncidentEvent.Resolved r = (IncidentEvent.Resolved) events.get(0);
    assertThat(r.by()).isEqualTo("alertmanager");
    assertThat(r.incident().resolvedAt()).isEqualTo(T);
    assertThat(g.occurrences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.changed()).isTrue();
              assertThat(o.status()).isEqualTo(AlertStatus.RESOLVED);
            });
  }

  @Test
  void firingThenResolvedInOneBatchOpensAndResolvesTheIncident() {
    Grouping g =
        decided(
            grouping(
                List.of(
                    List.of(in("g1", firing("DiskFull", "db-1"))),
                    List.of(in("g1", resolved("DiskFull", "db-1"))))));

    assertThat(lines(g))
        .containsExactly(
            "100 opened: opened: DiskFull on db-1 (severity critical, team db)",
            "100 alert: 1 alert firing: DiskFull on db-1",
            "100 alert-resolved: 1 alert resolved: DiskFull on db-1",
            "100 resolved: resolved: all 1 alert resolved");
    assertThat(g.result().events())
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Opened", "Resolved");
  }

  @Test
  void aStoredOccurrenceFiringAgainWithTheSameStartsAtRejoinsItsGroupsOpenIncident() {
    Alert a = firing("DiskFull", "db-1");
    Grouping g = grouping(List.of(List.of(in("g1", a))));
    g.loadedAlert(a.fingerprint(), STARTED.toString(), 3L, AlertStatus.RESOLVED);
    g.loadedIncident(stored(3, "g1", IncidentStatus.RESOLVED, 2, 0));
    g.loadedIncident(stored(9, "g1", IncidentStatus.TRIGGERED, 1, 1));
    decided(g);

    assertThat(touched(g, 3).alertCountDelta()).isEqualTo(-1); // moved out of the resolved incident
    assertThat(touched(g, 3).resolvedNow()).isFalse();
    assertThat(touched(g, 9).alertCountDelta()).isEqualTo(1);
    assertThat(touched(g, 9).firingCountDelta()).isEqualTo(1);
    assertThat(lines(g)).containsExactly("9 alert: 1 alert firing: DiskFull on db-1");
    assertThat(g.occurrences())
        .singleElement()
        .satisfies(o -> assertThat(o.incident()).isEqualTo(9L));
  }

  @Test
  void anOccurrenceFiringAgainWhenItsGroupHasNoOpenIncidentOpensANewOne() {
    Alert a = firing("DiskFull", "db-1");
    Grouping g = grouping(List.of(List.of(in("g1", a))));
    g.loadedAlert(a.fingerprint(), STARTED.toString(), 3L, AlertStatus.RESOLVED);
    g.loadedIncident(stored(3, "g1", IncidentStatus.RESOLVED, 1, 0));
    decided(g);

    assertThat(g.newIncidents()).isEqualTo(1);
    assertThat(lines(g))
        .containsExactly(
            "100 opened: opened: DiskFull on db-1 (severity critical, team db)",
            "100 alert: 1 alert firing: DiskFull on db-1");
    assertThat(g.occurrences())
        .singleElement()
        .satisfies(o -> assertThat(o.incident()).isEqualTo(100L));
  }

  @Test
  void aPersonsResolveHoldsForRepeatsAndANewOccurrenceOpensANewIncident() {
    Alert repeat = firing("DiskFull", "db-1");
    Alert next = alert("DiskFull", "db-1", AlertStatus.FIRING, LATER, Map.of());
    Grouping g = grouping(List.of(List.of(in("g1", repeat)), List.of(in("g1", next))));
    g.loadedAlert(
        repeat.fingerprint(),
        STARTED.toString(),
        4L,
        AlertStatus.FIRING); // still firing in an incident a person resolved
    g.loadedIncident(stored(4, "g1", IncidentStatus.RESOLVED, 1, 1));
    decided(g);

    assertThat(g.touched()).extracting(GroupedIncident::id).containsExactly(100L);
    assertThat(g.result().incidentsPerRequest())
        .containsExactly(List.of(new IncidentId(4)), List.of(new IncidentId(100)));
  }

  @Test
  void aResolvedAlertNeverSeenFiringJoinsTheOpenIncidentOrNone() {
    Grouping none = decided(grouping(List.of(List.of(in("g1", resolved("DiskFull", "db-1"))))));
    assertThat(none.touched()).isEmpty();
    assertThat(none.result().stored())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.incident()).isNull();
              assertThat(s.status()).isEqualTo(AlertStatus.RESOLVED);
            });

    Grouping open = grouping(List.of(List.of(in("g1", resolved("DiskFull", "db-1")))));
    open.loadedIncident(stored(7, "g1", IncidentStatus.TRIGGERED, 1, 1));
    decided(open);
    assertThat(touched(open, 7).alertCountDelta()).isEqualTo(1);
    assertThat(touched(open, 7).firingCountDelta()).isZero();
    assertThat(touched(open, 7).resolvedNow()).isFalse();
    assertThat(lines(open)).containsExactly("7 alert-resolved: 1 alert resolved: DiskFull on db-1");
  }

  @Test
  void anAlertWithoutStartsAtContinuesTheOccurrenceFiringNow() {
    Alert a =
        alert(
            "DiskFull",
            "db-1",
            AlertStatus.RESOLVED,
            T,
            Map.of()); // startsAt filled in as "now" by the parser
    Grouping g = grouping(List.of(List.of(new AlertIntake(a, "alert:x", Map.of(), true))));
    g.loadedAlert(a.fingerprint(), STARTED.toString(), 7L, AlertStatus.FIRING);
    g.loadedIncident(stored(7, "alert:x", IncidentStatus.TRIGGERED, 1, 1));
    decided(g);

    assertThat(g.occurrences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.startsAt()).isEqualTo(STARTED.toString());
              assertThat(o.changed()).isTrue();
            });
    assertThat(touched(g, 7).resolvedNow()).isTrue();
  }

  @Test
  void whatToLoadIsTheNamedOccurrencesTheirGroupsAndTheIncidentsTheyBelongTo() {
    Alert a = firing("DiskFull", "db-1");
    Alert b = alert("DiskFull", "db-1", AlertStatus.FIRING, LATER, Map.of());
    Grouping g = grouping(List.of(List.of(in("g1", a), in("g2", b))));
    assertThat(g.startsAtByFingerprint())
        .containsExactly(
            Map.entry(
                a.fingerprint(),
                new LinkedHashSet<>(List.of(STARTED.toString(), LATER.toString()))));
    assertThat(g.groupKeys()).containsExactly("g1", "g2");
    g.loadedAlert(a.fingerprint(), STARTED.toString(), 5L, AlertStatus.FIRING);
    g.loadedIncident(stored(6, "g1", IncidentStatus.TRIGGERED, 1, 1));
    assertThat(g.incidentIdsToLoad()).containsExactly(5L);
  }

  @Test
  void theTitleIsTheSummaryCutTo200ElseNameOnInstanceElseNameElseTheFingerprint() {
    Map<String, String> summary = Map.of("summary", "Disk /var almost full");
    assertThat(Grouping.title(alert("DiskFull", "db-1", AlertStatus.FIRING, STARTED, summary)))
        .isEqualTo("Disk /var almost full");
    String longSummary = "x".repeat(201);
    assertThat(
            Grouping.title(
                alert(
                    "DiskFull",
                    "db-1",
                    AlertStatus.FIRING,
                    STARTED,
                    Map.of("summary", longSummary))))
        .isEqualTo("x".repeat(197) + "...")
        .hasSize(200);
    assertThat(
            Grouping.title(
                alert(
                    "DiskFull",
                    "db-1",
                    AlertStatus.FIRING,
                    STARTED,
                    Map.of("summary", "x".repeat(200)))))
        .isEqualTo("x".repeat(200));
    assertThat(
            Grouping.title(
                alert("DiskFull", "db-1", AlertStatus.FIRING, STARTED, Map.of("summary", "  "))))
        .isEqualTo("DiskFull on db-1");
    assertThat(Grouping.title(firing("DiskFull", null))).isEqualTo("DiskFull");
    assertThat(Grouping.title(firing(null, null))).isEqualTo("alert fp-null-null");
    assertThat(Grouping.title(firing(null, "db-1"))).isEqualTo("alert fp-null-db-1 on db-1");
  }

  @Test
  void aNewIncidentsTitleComesFromTheAlertThatOpenedIt() {
    Alert first =
        alert("DiskFull", "db-1", AlertStatus.FIRING, STARTED, Map.of("summary", "first"));
    Alert second =
        alert("DiskFull", "db-2", AlertStatus.FIRING, STARTED, Map.of("summary", "second"));
    Grouping g = decided(grouping(List.of(List.of(in("g1", first), in("g1", second)))));
    assertThat(touched(g, 100).title()).isEqualTo("first");
    assertThat(Grouping.labels(in("g1", first)))
        .isEqualTo(Map.of("team", "db", "severity", "critical"));
    Map<String, String> own = new HashMap<>(first.labels());
    assertThat(Grouping.labels(new AlertIntake(first, "g1", Map.of(), false))).isEqualTo(own);
  }
}
