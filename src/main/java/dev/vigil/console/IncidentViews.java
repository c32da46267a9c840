package dev.vigil.console;

import dev.vigil.http.IncidentReads;
import dev.vigil.http.RunApi;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.Severity;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.engine.RunRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The incidents list and the incident page. */
final class IncidentViews {
  private IncidentViews() {}

  /** The filters of the list, each null for any. */
  record Filter(String status, String team, String severity) {
    String query() {
      StringBuilder q = new StringBuilder();
      add(q, "status", status);
      add(q, "team", team);
      add(q, "severity", severity);
      return q.toString();
    }

    private static void add(StringBuilder q, String k, String v) {
      if (v != null) {
        q.append(q.isEmpty() ? "?" : "&")
            .append(k)
            .append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
  }

  static Html.Safe list(
      Filter f,
      List<String> teams,
      List<Incident> incidents,
      Map<IncidentId, RunRecord> runs,
      Instant now) {
    Html h = new Html();
    h.el("h1", "Incidents");
    h.open("form", "method", "get", "action", "/ui/incidents", "class", "filters");
    select(h, "status", "Status", List.of("triggered", "acknowledged", "resolved"), f.status());
    select(h, "team", "Team", teams, f.team());
    select(h, "severity", "Severity", Severity.NAMES, f.severity());
    h.el("button", "Filter", "type", "submit");
    h.close();
    h.el(
        "p",
        "",
        "id",
        "live-status",
        "class",
        "live-status",
        "role",
        "status",
        "aria-live",
        "polite");
    h.open("table", "class", "incidents");
    h.el("caption", "Newest first; updates live");
    h.open("thead").open("tr");
    for (String c : List.of("Incident", "Status", "Severity", "Team", "Title", "Age", "Runbook")) {
      h.el("th", c, "scope", "col");
    }
    h.close().close();
    h.open("tbody", "id", "incident-rows", "data-live", "/ui/incidents/rows" + f.query());
    h.safe(rows(incidents, runs, now));
    h.close().close();
    return h.done();
  }

  /** The rows of the list (also sent alone when the list updates). */
  static Html.Safe rows(List<Incident> incidents, Map<IncidentId, RunRecord> runs, Instant now) {
    Html h = new Html();
    if (incidents.isEmpty()) {
      h.open("tr").el("td", "No incidents match.", "colspan", "7").close();
    }
    for (Incident i : incidents) {
      h.open("tr", "data-incident", i.id().toString());
      h.open("td").el("a", i.id().toString(), "href", "/ui/incidents/" + i.id()).close();
      h.open("td");
      Layout.state(h, i.status().wire());
      h.close();
      h.open("td");
      Layout.state(h, i.severity().wire());
      h.close();
      h.el("td", i.team() == null ? "—" : i.team());
      h.el("td", i.title());
      Instant end = i.resolvedAt() != null ? i.resolvedAt() : now;
      h.el("td", Layout.age(Duration.between(i.openedAt(), end)), "title", i.openedAt().toString());
      h.open("td");
      RunRecord r = runs.get(i.id());
      if (r == null) {
        h.text("—");
      } else {
        h.text(r.runbook() + " ");
        Layout.state(h, RunApi.status(r));
      }
      h.close();
      h.close();
    }
    return h.done();
  }

  private static void select(Html h, String name, String label, List<String> options, String v) {
    h.el("label", label, "for", "f-" + name);
    h.open("select", "id", "f-" + name, "name", name);
    h.el("option", "any", "value", "");
    for (String o : options) {
      h.el("option", o, "value", o, "selected", o.equals(v) ? "" : null);
    }
    h.close();
  }

  /** The incident page: actions, then the part that updates live. */
  static Html.Safe page(
      IncidentReads.Detail d, List<String> runbooks, String csrf, Html.Safe live) {
    Incident i = d.incident();
    String base = "/ui/incidents/" + i.id();
    Html h = new Html();
    h.el("h1", i.id() + ": " + i.title());
    h.open("section", "class", "actions", "aria-label", "Actions");
    if (i.status() == IncidentStatus.TRIGGERED) {
      Layout.button(h, base + "/acknowledge", csrf, "Acknowledge");
    }
    if (i.status() != IncidentStatus.RESOLVED) {
      Layout.button(h, base + "/resolve", csrf, "Resolve");
    }
    h.open("form", "method", "post", "action", base + "/notes", "class", "note");
    Layout.csrfField(h, csrf);
    h.el("label", "Note", "for", "note-text");
    h.el("textarea", "", "id", "note-text", "name", "text", "rows", "2", "required", "");
    h.el("button", "Add note", "type", "submit");
    h.close();
    if (i.status() != IncidentStatus.RESOLVED && !runbooks.isEmpty()) {
      h.open("form", "method", "post", "action", base + "/runs", "class", "start-run");
      Layout.csrfField(h, csrf);
      h.el("label", "Runbook", "for", "runbook");
      h.open("select", "id", "runbook", "name", "runbook");
      runbooks.forEach(r -> h.el("option", r, "value", r));
      h.close();
      h.el("button", "Start runbook", "type", "submit");
      h.close();
    }
    h.close();
    h.open(
        "div",
        "id",
        "incident-live",
        "data-live",
        base + "/live",
        "data-incident",
        i.id().toString());
    h.safe(live);
    h.close();
    return h.done();
  }

  /** What changes as the incident moves: its summary, runs, alerts and timeline. */
  static Html.Safe live(IncidentReads.Detail d, String csrf, Html.Safe runs) {
    Incident i = d.incident();
    Html h = new Html();
    h.open("dl", "class", "summary");
    h.el("dt", "Status").open("dd");
    Layout.state(h, i.status().wire());
    h.close();
    h.el("dt", "Severity").open("dd");
    Layout.state(h, i.severity().wire());
    h.close();
    h.el("dt", "Type").el("dd", i.type());
    h.el("dt", "Team").el("dd", i.team() == null ? "none" : i.team());
    h.el("dt", "Opened").open("dd");
    Layout.time(h, i.openedAt());
    h.close();
    h.el("dt", "Acknowledged").open("dd");
    Layout.time(h, i.acknowledgedAt());
    h.text(i.acknowledgedBy() == null ? "" : " by " + i.acknowledgedBy());
    h.close();
    h.el("dt", "Resolved").open("dd");
    Layout.time(h, i.resolvedAt());
    h.text(i.resolvedBy() == null ? "" : " by " + i.resolvedBy());
    h.close();
    h.el("dt", "Alerts").el("dd", i.firingCount() + " firing of " + i.alertCount());
    h.close();
    h.open("section", "aria-labelledby", "runs-h");
    h.el("h2", "Runbook runs", "id", "runs-h");
    h.safe(runs);
    h.close();
    h.open("section", "aria-labelledby", "alerts-h");
    h.el("h2", "Alerts", "id", "alerts-h");
    for (StoredAlert sa : d.alerts()) {
      alert(h, sa);
    }
    h.close();
    h.open("section", "aria-labelledby", "timeline-h");
    h.el("h2", "Timeline", "id", "timeline-h");
    h.open("table", "class", "timeline");
    h.open("thead").open("tr");
    for (String c : List.of("Time", "What", "By", "Details")) {
      h.el("th", c, "scope", "col");
    }
    h.close().close().open("tbody");
    for (TimelineEvent e : d.timeline()) {
      h.open("tr").open("td");
      Layout.time(h, e.at());
      h.close().el("td", e.kind()).el("td", e.by()).el("td", e.text()).close();
    }
    h.close().close();
    h.close();
    return h.done();
  }

  private static void alert(Html h, StoredAlert sa) {
    var a = sa.alert();
    h.open("article", "class", "alert");
    h.open("h3");
    h.text(a.labels().getOrDefault("alertname", a.fingerprint()) + " ");
    Layout.state(h, a.status().wire());
    h.close();
    h.open("p").text("Started ");
    Layout.time(h, a.startsAt());
    if (a.endsAt() != null) {
      h.text(", ended ");
      Layout.time(h, a.endsAt());
    }
    if (a.generatorUrl() != null && !a.generatorUrl().isEmpty()) {
      h.text(" · ").el("a", "source", "href", a.generatorUrl(), "rel", "noreferrer noopener");
    }
    h.close();
    pairs(h, "Labels", a.labels());
    pairs(h, "Annotations", a.annotations());
    h.close();
  }

  private static void pairs(Html h, String caption, Map<String, String> values) {
    if (values.isEmpty()) {
      return;
    }
    h.open("table", "class", "pairs");
    h.el("caption", caption);
    h.open("tbody");
    new TreeMap<>(values)
        .forEach((k, v) -> h.open("tr").el("th", k, "scope", "row").el("td", v).close());
    h.close().close();
  }
}
