package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.client.ApiClient;
import dev.vigil.client.Text;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil incidents list|show|ack|resolve|note}: incidents through the HTTP API (docs/api.md).
 * Exit 0, 1 when the server refuses (unknown incident, already resolved, bad token), 3 when it
 * cannot be reached.
 */
@Command(
    name = "incidents",
    mixinStandardHelpOptions = true,
    description = "List, show, acknowledge, resolve and annotate incidents on a running Vigil.")
public final class IncidentsCommand {

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The newest incidents first, optionally filtered.")
  int list(
      @Mixin ClientOptions o,
      @Option(
              names = "--status",
              paramLabel = "STATUS",
              description = "triggered, acknowledged or resolved.")
          String status,
      @Option(names = "--team", paramLabel = "TEAM", description = "Only this team's incidents.")
          String team,
      @Option(
              names = "--severity",
              paramLabel = "SEVERITY",
              description = "critical, error, warning or info.")
          String severity,
      @Option(names = "--limit", paramLabel = "N", description = "At most N (1-1000, default 50).")
          Integer limit) {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("status", status);
    q.put("team", team);
    q.put("severity", severity);
    q.put("limit", limit);
    ApiClient.Answer a = o.client().get("/api/v1/incidents" + ApiClient.query(q));
    if (o.json()) {
      return Output.json(o, a);
    }
    Text.Table t = new Text.Table("ID", "STATUS", "SEVERITY", "TEAM", "OPENED", "TITLE");
    for (JsonNode i : a.json().path("incidents")) {
      t.row(
          Text.field(i, "id"),
          Text.field(i, "status"),
          Text.field(i, "severity"),
          Text.field(i, "team"),
          Text.field(i, "openedAt"),
          Text.field(i, "title"));
    }
    return Output.table(o, t, "no incidents");
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "An incident with its labels, alerts, runs and timeline.")
  int show(
      @Mixin ClientOptions o,
      @Parameters(paramLabel = "ID", description = "INC-42, or 42.") String id) {
    ApiClient.Answer a = o.client().get("/api/v1/incidents/" + ApiClient.segment(id("INC", id)));
    if (o.json()) {
      return Output.json(o, a);
    }
    JsonNode i = a.json();
    PrintWriter out = o.out();
    out.println(
        Text.field(i, "id")
            + "  "
            + Text.field(i, "status")
            + "  "
            + Text.field(i, "severity")
            + "  type "
            + Text.field(i, "type")
            + "  team "
            + Text.field(i, "team"));
    out.println("title:        " + Text.field(i, "title"));
    out.println("opened:       " + Text.field(i, "openedAt"));
    out.println("acknowledged: " + when(i, "acknowledgedAt", "acknowledgedBy"));
    out.println("resolved:     " + when(i, "resolvedAt", "resolvedBy"));
    List<String> labels = new ArrayList<>();
    i.path("labels")
        .fields()
        .forEachRemaining(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
    out.println("labels:       " + Text.clean(labels.isEmpty() ? "-" : String.join(", ", labels)));
    out.println();
    Text.Table alerts = new Text.Table("FINGERPRINT", "STATUS", "STARTS", "ENDS", "ALERTNAME");
    for (JsonNode al : i.path("alerts")) {
      alerts.row(
          Text.field(al, "fingerprint"),
          Text.field(al, "status"),
          Text.field(al, "startsAt"),
          Text.field(al, "endsAt"),
          Text.field(al.path("labels"), "alertname"));
    }
    section(out, "alerts", alerts);
    Text.Table runs = new Text.Table("RUN", "RUNBOOK", "STATUS");
    for (JsonNode r : i.path("runs")) {
      runs.row(Text.field(r, "id"), Text.field(r, "runbook"), Text.field(r, "status"));
    }
    section(out, "runs", runs);
    Text.Table timeline = new Text.Table("TIME", "KIND", "BY", "TEXT");
    for (JsonNode e : i.path("timeline")) {
      timeline.row(
          Text.field(e, "at"), Text.field(e, "kind"), Text.field(e, "by"), Text.field(e, "text"));
    }
    section(out, "timeline", timeline);
    out.flush();
    return 0;
  }

  @Command(
      name = "ack",
      mixinStandardHelpOptions = true,
      description = "Acknowledge an incident: escalation stops paging.")
  int ack(
      @Mixin ClientOptions o,
      @Parameters(paramLabel = "ID", description = "INC-42, or 42.") String id,
      @Option(
              names = {"-m", "--message"},
              paramLabel = "TEXT",
              description = "A note for the timeline.")
          String text,
      @Option(
              names = "--by",
              paramLabel = "NAME",
              description = "Who acknowledges (default: $USER).")
          String by) {
    return change(o, id, "acknowledge", "acknowledged", text, by);
  }

  @Command(name = "resolve", mixinStandardHelpOptions = true, description = "Resolve an incident.")
  int resolve(
      @Mixin ClientOptions o,
      @Parameters(paramLabel = "ID", description = "INC-42, or 42.") String id,
      @Option(
              names = {"-m", "--message"},
              paramLabel = "TEXT",
              description = "A note for the timeline.")
          String text,
      @Option(names = "--by", paramLabel = "NAME", description = "Who resolves (default: $USER).")
          String by) {
    return change(o, id, "resolve", "resolved", text, by);
  }

  @Command(
      name = "note",
      mixinStandardHelpOptions = true,
      description = "Add a note to an incident's timeline.")
  int note(
      @Mixin ClientOptions o,
      @Parameters(index = "0", paramLabel = "ID", description = "INC-42, or 42.") String id,
      @Parameters(
              index = "1..*",
              arity = "1..*",
              paramLabel = "TEXT",
              description = "The note (several words are joined by spaces).")
          List<String> words,
      @Option(names = "--by", paramLabel = "NAME", description = "Who writes it (default: $USER).")
          String by) {
    String incident = id("INC", id);
    ObjectNode body =
        ApiClient.object()
            .put("by", by != null ? by : o.user())
            .put("text", String.join(" ", words));
    ApiClient.Answer a =
        o.client().post("/api/v1/incidents/" + ApiClient.segment(incident) + "/notes", body);
    if (o.json()) {
      return Output.json(o, a);
    }
    o.out()
        .println(
            "note added to "
                + Text.clean(incident)
                + " by "
                + Text.field(a.json(), "by")
                + " at "
                + Text.field(a.json(), "at"));
    o.out().flush();
    return 0;
  }

  private static int change(
      ClientOptions o, String id, String action, String done, String text, String by) {
    ObjectNode body = ApiClient.object().put("by", by != null ? by : o.user());
    if (text != null) {
      body.put("text", text);
    }
    ApiClient.Answer a =
        o.client()
            .post("/api/v1/incidents/" + ApiClient.segment(id("INC", id)) + "/" + action, body);
    if (o.json()) {
      return Output.json(o, a);
    }
    JsonNode i = a.json();
    String at = done.equals("acknowledged") ? "acknowledgedAt" : "resolvedAt";
    String who = done.equals("acknowledged") ? "acknowledgedBy" : "resolvedBy";
    o.out()
        .println(
            Text.field(i, "id")
                + " "
                + done
                + " by "
                + Text.field(i, who)
                + " at "
                + Text.field(i, at)
                + ": "
                + Text.field(i, "title"));
    o.out().flush();
    return 0;
  }

  private static String when(JsonNode i, String at, String by) {
    return i.path(at).isNull() || i.path(at).isMissingNode()
        ? "-"
        : Text.field(i, at) + " by " + Text.field(i, by);
  }

  private static void section(PrintWriter out, String name, Text.Table t) {
    out.println(name + ":");
    if (t.isEmpty()) {
      out.println("  none");
    } else {
      t.render().lines().forEach(l -> out.println("  " + l));
    }
    out.println();
  }

  /** An id as the API names it: a bare number gets the prefix ({@code 42} is {@code INC-42}). */
  static String id(String prefix, String raw) {
    return raw.matches("\\d{1,18}") ? prefix + "-" + raw : raw;
  }
}
