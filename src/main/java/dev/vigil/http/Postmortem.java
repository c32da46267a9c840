package dev.vigil.http;

import dev.vigil.incident.Incident;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.StepRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * An incident's history for a postmortem: its stored timeline (alerts, grouping, classification,
 * notifications, acks, escalations, resolution) merged with each runbook step and its output, in
 * order, as Markdown ready to paste or as JSON. Pure: built from what the store returned.
 */
final class Postmortem {
  /**
   * Step outputs and errors longer than this are cut: a postmortem needs the gist, not a whole
   * response body.
   */
  static final int OUTPUT_CAP = 500;

  /** One line of the merged history; {@code order} sorts lines at the same instant. */
  record Entry(Instant at, String kind, String by, String text, double order) {}

  private final Incident incident;
  private final List<StoredAlert> alerts;
  private final List<Entry> entries;

  Postmortem(
      Incident incident,
      List<StoredAlert> alerts,
      List<TimelineEvent> timeline,
      List<RunRecord> runs) {
    this.incident = incident;
    this.alerts = alerts;
    this.entries = merge(timeline, runs);
  }

  /**
   * Timeline events keep their stored order. A step goes at its end (or start, if it has not
   * ended); at the same instant as its run's closing line it goes just before that line, so a run
   * whose steps took no measurable time still reads: created, steps, outcome.
   */
  static List<Entry> merge(List<TimelineEvent> timeline, List<RunRecord> runs) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < timeline.size(); i++) {
      TimelineEvent e = timeline.get(i);
      out.add(new Entry(e.at(), e.kind(), e.by(), e.text(), i));
    }
    for (RunRecord run : runs) {
      int end = closingLine(timeline, run);
      for (StepRun s : run.steps()) {
        Instant at = s.endedAt() != null ? s.endedAt() : s.startedAt();
        if (at == null) {
          continue; // never started: nothing happened
        }
        boolean beforeEnd = end >= 0 && !timeline.get(end).at().isBefore(at);
        out.add(
            new Entry(
                at,
                "step",
                "runbook:" + run.runbook(),
                step(run, s),
                beforeEnd ? end - 0.5 : timeline.size()));
      }
    }
    out.sort(Comparator.comparing(Entry::at).thenComparingDouble(Entry::order));
    return out;
  }

  /** The index of the timeline line that says how {@code run} ended, or -1 while it runs. */
  private static int closingLine(List<TimelineEvent> timeline, RunRecord run) {
    String prefix = "run " + run.id() + " of runbook ";
    for (int i = 0; i < timeline.size(); i++) {
      TimelineEvent e = timeline.get(i);
      if (e.kind().equals("runbook")
          && e.text().startsWith(prefix)
          && !e.text().contains(" created by ")) {
        return i;
      }
    }
    return -1;
  }

  private static String step(RunRecord run, StepRun s) {
    StringBuilder t =
        new StringBuilder(
            run.id() + " step " + s.id() + " (" + s.kind() + ") " + s.status().wire());
    if (s.attempts() > 1) {
      t.append(" after ").append(s.attempts()).append(" attempts");
    }
    if (s.rendered() != null && !s.rendered().isEmpty()) {
      t.append(": ").append(cap(s.rendered()));
    }
    if (s.output() != null && !s.output().isEmpty()) {
      t.append("; output ").append(cap(new JsonObject(new TreeMap<>(s.output())).encode()));
    }
    if (s.error() != null) {
      t.append("; error: ").append(cap(s.error()));
    }
    return t.toString();
  }

  static String cap(String s) {
    return s.length() <= OUTPUT_CAP
        ? s
        : s.substring(0, OUTPUT_CAP) + "… (" + (s.length() - OUTPUT_CAP) + " more characters)";
  }

  JsonObject json() {
    JsonArray as = new JsonArray();
    alerts.forEach(
        a ->
            as.add(
                new JsonObject()
                    .put("fingerprint", a.alert().fingerprint())
                    .put("status", a.alert().status().wire())
                    .put("labels", new JsonObject(Map.copyOf(a.alert().labels())))
                    .put("startsAt", a.alert().startsAt().toString())
                    .put("endsAt", IncidentApi.time(a.alert().endsAt()))
                    .put("receivedAt", IncidentApi.time(a.receivedAt()))));
    JsonArray tl = new JsonArray();
    entries.forEach(
        e ->
            tl.add(
                new JsonObject()
                    .put("at", e.at().toString())
                    .put("kind", e.kind())
                    .put("by", e.by())
                    .put("text", e.text())));
    return IncidentApi.summary(incident)
        .put("groupKey", incident.groupKey())
        .put("alerts", as)
        .put("timeline", tl);
  }

  String markdown() {
    Incident i = incident;
    StringBuilder md = new StringBuilder();
    md.append("# ").append(i.id()).append(": ").append(cell(i.title())).append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "status", i.status().wire());
    row(md, "severity", i.severity().wire() + " (type " + i.type() + ")");
    row(md, "team", i.team() == null ? "none" : i.team());
    row(md, "opened", i.openedAt().toString());
    row(
        md,
        "acknowledged",
        i.acknowledgedAt() == null ? "no" : i.acknowledgedAt() + " by " + i.acknowledgedBy());
    row(md, "resolved", i.resolvedAt() == null ? "no" : i.resolvedAt() + " by " + i.resolvedBy());
    row(md, "group", i.groupKey());
    md.append("\n## Alerts\n\n");
    for (StoredAlert a : alerts) {
      md.append("- ")
          .append(a.alert().status().wire())
          .append(" since ")
          .append(a.alert().startsAt())
          .append(a.alert().endsAt() == null ? "" : ", ended " + a.alert().endsAt())
          .append(", received ")
          .append(a.receivedAt())
          .append(": ")
          .append(
              cell(
                  new TreeMap<>(a.alert().labels())
                      .entrySet().stream()
                          .map(l -> l.getKey() + "=" + l.getValue())
                          .collect(Collectors.joining(", "))))
          .append(" (fingerprint ")
          .append(cell(a.alert().fingerprint()))
          .append(")\n");
    }
    md.append("\n## Timeline\n\n| time (UTC) | what | by | details |\n|---|---|---|---|\n");
    for (Entry e : entries) {
      md.append("| ")
          .append(e.at())
          .append(" | ")
          .append(cell(e.kind()))
          .append(" | ")
          .append(cell(e.by()))
          .append(" | ")
          .append(cell(e.text()))
          .append(" |\n");
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n");
  }

  /**
   * Data (alert labels, titles, timeline and step text) as inline Markdown that stays one line of
   * text: HTML is escaped ({@code <!--} would hide the rest of the document, {@code <a>} would
   * link), Markdown's inline markup characters are backslash-escaped (no link, image, emphasis or
   * code span; {@code |} cannot end a table cell), and a line break becomes {@code <br>}, so a
   * value cannot start a line and forge a heading ({@code \n## Timeline}), a table row or a list
   * item. Used for table cells and list items.
   */
  static String cell(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '\r' -> {}
        case '\n' -> out.append("<br>");
        case '\\', '`', '*', '_', '[', ']', '|', '~', '!' -> out.append('\\').append(c);
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
