package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.client.ApiClient;
import dev.vigil.client.Text;
import dev.vigil.config.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil runs list|show|approve|reject|cancel}: runbook runs through the HTTP API
 * (docs/api.md). Exit 0, 1 when the server refuses, 3 when it cannot be reached; {@code show
 * --watch} follows the run until it ends and exits 0 only if it succeeded.
 */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description =
        "List and show runbook runs; approve or reject their approval steps; cancel them.")
public final class RunsCommand {
  private static final Set<String> FINISHED =
      Set.of("succeeded", "failed", "timed-out", "cancelled");

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The newest runs first, optionally filtered.")
  int list(
      @Mixin ClientOptions o,
      @Option(
              names = "--status",
              paramLabel = "STATUS",
              description =
                  "pending, running (waiting runs too), succeeded, failed, timed-out or cancelled.")
          String status,
      @Option(names = "--runbook", paramLabel = "NAME", description = "Only runs of this runbook.")
          String runbook,
      @Option(
              names = "--incident",
              paramLabel = "ID",
              description = "Only runs for this incident (INC-42, or 42).")
          String incident,
      @Option(names = "--limit", paramLabel = "N", description = "At most N (1-1000, default 50).")
          Integer limit) {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("status", status);
    q.put("runbook", runbook);
    q.put("incident", incident == null ? null : IncidentsCommand.id("INC", incident));
    q.put("limit", limit);
    ApiClient.Answer a = o.client().get("/api/v1/runs" + ApiClient.query(q));
    if (o.json()) {
      return Output.json(o, a);
    }
    Text.Table t =
        new Text.Table("RUN", "RUNBOOK", "INCIDENT", "STATUS", "STARTED BY", "CREATED", "STEPS");
    for (JsonNode r : a.json().path("runs")) {
      t.row(
          Text.field(r, "id"),
          Text.field(r, "runbook"),
          Text.field(r, "incident"),
          Text.field(r, "status"),
          Text.field(r, "startedBy"),
          Text.field(r, "createdAt"),
          progress(r.path("steps")));
    }
    return Output.table(o, t, "no runs");
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "A run and its steps; with --watch, follow it and print each change until it ends.")
  int show(
      @Mixin ClientOptions o,
      @Parameters(paramLabel = "ID", description = "RUN-7, or 7.") String id,
      @Option(
              names = {"-w", "--watch"},
              description = "Follow the run until it ends; exit 0 only if it succeeded.")
          boolean watch,
      @Option(
              names = "--interval",
              paramLabel = "DURATION",
              defaultValue = "2s",
              description =
                  "With --watch: how often to ask the server (default: ${DEFAULT-VALUE}).")
          String interval)
      throws InterruptedException {
    Duration every = pollInterval(o, interval);
    ApiClient api = o.client();
    String path = "/api/v1/runs/" + ApiClient.segment(IncidentsCommand.id("RUN", id));
    ApiClient.Answer a = api.get(path);
    if (o.json()) {
      Output.json(o, a);
    } else {
      print(o.out(), a.json());
    }
    if (!watch) {
      return 0;
    }
    JsonNode last = a.json();
    String lastBody = a.body();
    while (!FINISHED.contains(last.path("status").asText())) {
      Thread.sleep(every.toMillis());
      ApiClient.Answer next = api.get(path);
      if (next.body().equals(lastBody)) {
        continue;
      }
      if (o.json()) {
        Output.json(o, next);
      } else {
        changes(o.out(), last, next.json());
      }
      last = next.json();
      lastBody = next.body();
    }
    if (!o.json()) {
      o.out()
          .println(
              Text.field(last, "id")
                  + " "
                  + Text.field(last, "status")
                  + (last.path("error").isTextual() ? ": " + Text.field(last, "error") : ""));
      o.out().flush();
    }
    return last.path("status").asText().equals("succeeded") ? 0 : 1;
  }

  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description = "Approve an approval step a run waits for.")
  int approve(
      @Mixin ClientOptions o,
      @Parameters(index = "0", paramLabel = "ID", description = "RUN-7, or 7.") String id,
      @Parameters(index = "1", paramLabel = "STEP", description = "The approval step's id.")
          String step,
      @Option(names = "--by", paramLabel = "NAME", description = "Who decides (default: $USER).")
          String by) {
    return decide(o, id, step, "approve", "approved", by);
  }

  @Command(
      name = "reject",
      mixinStandardHelpOptions = true,
      description =
          "Reject an approval step a run waits for: the step fails, what needs it is skipped.")
  int reject(
      @Mixin ClientOptions o,
      @Parameters(index = "0", paramLabel = "ID", description = "RUN-7, or 7.") String id,
      @Parameters(index = "1", paramLabel = "STEP", description = "The approval step's id.")
          String step,
      @Option(names = "--by", paramLabel = "NAME", description = "Who decides (default: $USER).")
          String by) {
    return decide(o, id, step, "reject", "rejected", by);
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description =
          "Cancel an unfinished run: its unfinished steps are cancelled and it ends cancelled.")
  int cancel(
      @Mixin ClientOptions o,
      @Parameters(paramLabel = "ID", description = "RUN-7, or 7.") String id,
      @Option(names = "--by", paramLabel = "NAME", description = "Who cancels (default: $USER).")
          String by) {
    ObjectNode body = ApiClient.object().put("by", by != null ? by : o.user());
    ApiClient.Answer a =
        o.client()
            .post(
                "/api/v1/runs/" + ApiClient.segment(IncidentsCommand.id("RUN", id)) + "/cancel",
                body);
    if (o.json()) {
      return Output.json(o, a);
    }
    o.out()
        .println(
            Text.field(a.json(), "id")
                + " "
                + Text.field(a.json(), "status")
                + " at "
                + Text.field(a.json(), "endedAt")
                + ": "
                + Text.field(a.json(), "error"));
    o.out().flush();
    return 0;
  }

  private static int decide(
      ClientOptions o, String id, String step, String action, String done, String by) {
    ObjectNode body = ApiClient.object().put("by", by != null ? by : o.user()).put("step", step);
    ApiClient.Answer a =
        o.client()
            .post(
                "/api/v1/runs/" + ApiClient.segment(IncidentsCommand.id("RUN", id)) + "/" + action,
                body);
    if (o.json()) {
      return Output.json(o, a);
    }
    JsonNode run = a.json();
    JsonNode decided = null;
    for (JsonNode s : run.path("steps")) {
      if (s.path("id").asText().equals(step)) {
        decided = s;
      }
    }
    String who = decided == null ? "-" : Text.field(decided.path("output"), "by");
    o.out()
        .println(
            Text.field(run, "id")
                + ": step "
                + Text.clean(step)
                + " "
                + done
                + " by "
                + who
                + "; the run is "
                + Text.field(run, "status"));
    o.out().flush();
    return 0;
  }

  private static Duration pollInterval(ClientOptions o, String raw) {
    Duration d;
    try {
      d = Durations.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          o.mixee.commandLine(), "--interval: " + e.getMessage());
    }
    if (d.toMillis() < 10 || d.compareTo(Duration.ofHours(1)) > 0) {
      throw new CommandLine.ParameterException(
          o.mixee.commandLine(), "--interval: expected 10ms to 1h, got " + raw);
    }
    return d;
  }

  /** The run's header and its steps' table. */
  static void print(PrintWriter out, JsonNode r) {
    out.println(
        Text.field(r, "id")
            + "  runbook "
            + Text.field(r, "runbook")
            + "  incident "
            + Text.field(r, "incident")
            + "  "
            + Text.field(r, "status")
            + "  (mode "
            + Text.field(r, "mode")
            + ", started by "
            + Text.field(r, "startedBy")
            + ")");
    out.println(
        "created "
            + Text.field(r, "createdAt")
            + "  started "
            + Text.field(r, "startedAt")
            + "  ended "
            + Text.field(r, "endedAt")
            + "  deadline "
            + Text.field(r, "deadline"));
    if (r.path("error").isTextual()) {
      out.println("error: " + Text.field(r, "error"));
    }
    Text.Table t = new Text.Table("STEP", "KIND", "STATUS", "TRIES", "STARTED", "ENDED", "NOTE");
    for (JsonNode s : r.path("steps")) {
      t.row(
          Text.field(s, "id"),
          Text.field(s, "kind"),
          Text.field(s, "status"),
          Text.field(s, "attempts"),
          Text.field(s, "startedAt"),
          Text.field(s, "endedAt"),
          note(s));
    }
    out.print(t.render());
    out.flush();
  }

  /**
   * One line per step whose status changed, then the run's own change, each with the time the
   * server stored.
   */
  static void changes(PrintWriter out, JsonNode before, JsonNode after) {
    Map<String, String> was = new LinkedHashMap<>();
    before.path("steps").forEach(s -> was.put(s.path("id").asText(), s.path("status").asText()));
    for (JsonNode s : after.path("steps")) {
      String old = was.getOrDefault(s.path("id").asText(), "-");
      String now = s.path("status").asText();
      if (!old.equals(now)) {
        String at =
            s.path("endedAt").isTextual() ? Text.field(s, "endedAt") : Text.field(s, "startedAt");
        String n = note(s);
        out.println(
            at
                + "  step "
                + Text.field(s, "id")
                + ": "
                + Text.clean(old)
                + " -> "
                + Text.clean(now)
                + (n.equals("-") ? "" : "  (" + n + ")"));
      }
    }
    String old = before.path("status").asText();
    String now = after.path("status").asText();
    if (!old.equals(now)) {
      // the run's own change has a stored time only when it ends
      String at = after.path("endedAt").isTextual() ? Text.field(after, "endedAt") + "  " : "";
      out.println(at + "run: " + Text.clean(old) + " -> " + Text.clean(now));
    }
    out.flush();
  }

  /**
   * A step's error, else when it wakes (a wait, an approval's deadline, a retry's backoff), else
   * {@code -}.
   */
  private static String note(JsonNode s) {
    if (s.path("error").isTextual()) {
      return Text.field(s, "error");
    }
    if (s.path("wakeAt").isTextual()) {
      return "until " + Text.field(s, "wakeAt");
    }
    return "-";
  }

  /** {@code 2/3 done}, plus the steps running or waiting now. */
  static String progress(JsonNode steps) {
    int done = 0;
    List<String> now = new ArrayList<>();
    for (JsonNode s : steps) {
      String st = s.path("status").asText();
      if (FINISHED.contains(st) || st.equals("skipped")) {
        done++;
      } else if (st.equals("running") || st.equals("waiting")) {
        now.add(s.path("id").asText() + " " + st);
      }
    }
    return done
        + "/"
        + steps.size()
        + " done"
        + (now.isEmpty() ? "" : ", " + String.join(", ", now));
  }
}
