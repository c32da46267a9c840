package dev.vigil.console;

import dev.vigil.config.Problems;
import dev.vigil.http.RunApi;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.StepRun;
import dev.vigil.runbook.engine.StepStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runbook runs on the incident page: the graph with each step's state, the steps, approvals. */
final class RunViews {
  private final RunbookRegistry registry;
  private final RunbookReader reader;

  RunViews(RunbookRegistry registry, RunbookReader reader) {
    this.registry = registry;
    this.reader = reader;
  }

  /** The runs of an incident, newest first. */
  Html.Safe runs(List<RunRecord> runs, String csrf, Instant now) {
    Html h = new Html();
    if (runs.isEmpty()) {
      h.el("p", "No runbook has run for this incident.");
      return h.done();
    }
    for (int k = runs.size() - 1; k >= 0; k--) {
      run(h, runs.get(k), csrf, now);
    }
    return h.done();
  }

  private void run(Html h, RunRecord r, String csrf, Instant now) {
    String status = RunApi.status(r);
    h.open("article", "class", "run", "data-run", r.id().toString(), "data-state", status);
    h.open("h3");
    h.text(r.id() + " · " + r.runbook() + " (" + r.mode().wire() + ") ");
    Layout.state(h, status);
    h.close();
    h.open("p", "class", "meta");
    h.text("Started by " + r.startedBy() + " at ");
    Layout.time(h, r.createdAt());
    if (r.endedAt() != null) {
      h.text(", ended ");
      Layout.time(h, r.endedAt());
    }
    h.text(" · version " + shortVersion(r.version()));
    h.close();
    if (r.error() != null) {
      h.el("p", r.error(), "class", "error");
    }
    Optional<Runbook> rb = runbook(r);
    Map<String, List<String>> needs = new LinkedHashMap<>();
    rb.ifPresent(b -> b.stepsInOrder().forEach(s -> needs.put(s.id(), s.needs())));
    h.safe(Graphs.run(r, rb, now));
    for (StepRun s : r.steps()) {
      if (s.kind().equals("approval") && s.status() == StepStatus.WAITING) {
        h.open("div", "class", "approval", "role", "group", "aria-label", "Approval " + s.id());
        h.text("Step " + s.id() + " waits for approval. ");
        Layout.button(
            h,
            "/ui/runs/" + r.id() + "/approve",
            csrf,
            "Approve " + s.id(),
            "step",
            s.id(),
            "incident",
            r.incident().toString());
        Layout.button(
            h,
            "/ui/runs/" + r.id() + "/reject",
            csrf,
            "Reject " + s.id(),
            "step",
            s.id(),
            "incident",
            r.incident().toString());
        h.close();
      }
    }
    steps(h, r, needs, now);
    h.close();
  }

  private static void steps(Html h, RunRecord r, Map<String, List<String>> needs, Instant now) {
    h.open("table", "class", "steps");
    h.el("caption", "Steps of " + r.id());
    h.open("thead").open("tr");
    for (String c :
        List.of("Step", "Kind", "State", "Tries", "Duration", "Needs", "Action / error")) {
      h.el("th", c, "scope", "col");
    }
    h.close().close().open("tbody");
    for (StepRun s : r.steps()) {
      h.open("tr", "data-step", s.id());
      h.el("th", s.id(), "scope", "row");
      h.el("td", s.kind());
      h.open("td");
      Layout.state(h, s.status().wire());
      h.close();
      h.el("td", String.valueOf(s.attempts()));
      h.el("td", duration(s, now));
      h.el("td", String.join(", ", needs.getOrDefault(s.id(), List.of())));
      h.open("td");
      if (s.rendered() != null) {
        h.el("code", cut(s.rendered()));
      }
      if (s.error() != null) {
        h.el("div", cut(s.error()), "class", "error");
      }
      h.close();
      h.close();
    }
    h.close().close();
  }

  /** The runbook a run was started with: the loaded one if its version matches, else its source. */
  Optional<Runbook> runbook(RunRecord r) {
    Optional<Runbook> loaded =
        registry.byName(r.runbook()).filter(b -> b.version().equals(r.version()));
    if (loaded.isPresent() || r.source() == null) {
      return loaded;
    }
    try {
      return reader.parse(
          r.source().getBytes(StandardCharsets.UTF_8), Path.of(r.file()), r.file(), new Problems());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static String duration(StepRun s, Instant now) {
    if (s.startedAt() == null) {
      return "—";
    }
    Instant end = s.endedAt() != null ? s.endedAt() : now;
    Duration d = Duration.between(s.startedAt(), end);
    return d.toMillis() < 1000 ? d.toMillis() + "ms" : Layout.age(d);
  }

  private static String shortVersion(String v) {
    return v == null ? "—" : v.length() > 12 ? v.substring(0, 12) : v;
  }

  private static String cut(String s) {
    return s.length() > 500 ? s.substring(0, 497) + "..." : s;
  }
}
