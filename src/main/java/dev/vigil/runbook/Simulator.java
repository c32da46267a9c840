package dev.vigil.runbook;

import dev.vigil.alert.Alert;
import dev.vigil.config.Durations;
import dev.vigil.expr.Bindings;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.Template;
import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.Grouping;
import dev.vigil.incident.Triage;
import dev.vigil.runbook.action.RenderedAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A dry run of what Vigil would do with some alerts: the incident each group opens, its
 * classification, the runbook and mode that would apply, and each step's action rendered against
 * the real alert, in graph order. Nothing is performed; pure and thread-safe.
 *
 * <p>Escalation (who would be paged at each level and when) is not part of the plan yet: it belongs
 * to the escalation policies, which plug in where {@link Plan} is printed.
 */
public final class Simulator {
  private final RunbookCatalog catalog;
  private final Triage triage;

  public Simulator(RunbookCatalog catalog, Triage triage) {
    this.catalog = catalog;
    this.triage = triage;
  }

  /** One alert group: what becomes one incident. */
  public record Group(String groupKey, Map<String, String> labels, List<Alert> alerts) {}

  /**
   * One step as it would run.
   *
   * @param when the condition's outcome ("true", "false") or why it is only known during a run;
   *     empty without a condition
   */
  public record PlannedStep(
      String id, String kind, List<String> needs, Optional<String> when, RenderedAction action) {}

  public record Plan(
      Group group,
      Triage.Outcome classification,
      Optional<Selection> selection,
      List<PlannedStep> steps,
      List<String> notes) {}

  /**
   * Groups the alerts as ingest would into an empty store (by group key, each group classified by
   * the labels {@link Grouping#labels} picks from its first alert) and plans each group as if it
   * arrived at {@code at}.
   */
  public List<Plan> simulate(List<AlertIntake> intakes, Instant at) {
    Map<String, List<AlertIntake>> groups = new LinkedHashMap<>();
    intakes.forEach(i -> groups.computeIfAbsent(i.groupKey(), k -> new ArrayList<>()).add(i));
    List<Plan> plans = new ArrayList<>();
    for (Map.Entry<String, List<AlertIntake>> g : groups.entrySet()) {
      List<Alert> alerts = g.getValue().stream().map(AlertIntake::alert).toList();
      Map<String, String> labels = Grouping.labels(g.getValue().get(0));
      plans.add(plan(new Group(g.getKey(), new TreeMap<>(labels), alerts), at));
    }
    return plans;
  }

  Plan plan(Group group, Instant at) {
    Triage.Outcome c = triage.triage(group.labels(), at);
    List<String> notes = new ArrayList<>();
    if (c.drop()) {
      notes.add(
          "this group is only recorded (dropped by classification): no runbook runs and nobody is paged");
      return new Plan(group, c, Optional.empty(), List.of(), notes);
    }
    // the percent rollout hashes the real incident id, which only the store assigns; the plan shows
    // the runbook's configured mode and the note says how the share is picked
    Optional<Selection> sel =
        catalog
            .select(group.labels(), c.type(), "INC-0")
            .map(s -> new Selection(s.runbook(), s.runbook().rollout().mode()));
    if (sel.isEmpty()) {
      notes.add("no runbook matches: the incident goes straight to escalation");
      return new Plan(group, c, sel, List.of(), notes);
    }
    Runbook rb = sel.get().runbook();
    if (rb.rollout().percent() < 100 && rb.rollout().mode() != Rollout.Mode.MANUAL) {
      notes.add(
          "rollout percent "
              + rb.rollout().percent()
              + ": "
              + rb.rollout().mode().wire()
              + " for that share of incidents (picked by a stable hash of the incident id), manual for the rest");
    }
    Alert first = group.alerts().get(0);
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("alert", Bindings.alert(first));
    base.put("alerts", Bindings.alerts(group.alerts()));
    Map<String, Object> incident = new LinkedHashMap<>();
    incident.put("id", "INC-0");
    incident.put("severity", c.severity().wire());
    incident.put("type", c.type() == null ? "" : c.type());
    incident.put("status", "triggered");
    incident.put("team", c.team() == null ? "" : c.team());
    incident.put("title", Grouping.title(first));
    base.put("incident", incident);
    base.put("team", Bindings.team(c.team(), c.team(), ""));
    Map<String, Object> b;
    try {
      b = rb.startBindings(base);
    } catch (EvalException e) {
      notes.add(
          "vars cannot be computed for this alert, so a run would fail at once: " + e.getMessage());
      b = new LinkedHashMap<>(base);
      Map<String, Object> vars = new LinkedHashMap<>();
      rb.vars()
          .values()
          .forEach(v -> vars.put(v.name(), v.value().preview(base, Template.Insertion.TEXT)));
      b.put("vars", vars);
      b.put("steps", Map.of());
    }
    List<PlannedStep> steps = new ArrayList<>();
    for (Step s : rb.stepsInOrder()) {
      Optional<String> when = Optional.empty();
      if (s.when().isPresent()) {
        String outcome;
        try {
          outcome = Boolean.toString(s.when().get().test(b));
        } catch (EvalException e) {
          outcome = "decided during the run";
        }
        when = Optional.of(s.when().get().source() + " → " + outcome);
      }
      steps.add(new PlannedStep(s.id(), s.kind(), s.needs(), when, s.spec().preview(b)));
    }
    return new Plan(group, c, sel, steps, notes);
  }

  /** The plans as text for people, without escalation. */
  public static String format(List<Plan> plans, Instant at) {
    return format(plans, at, p -> "escalation: not simulated\n");
  }

  /**
   * The plans as text for people: what {@code vigil simulate} prints. {@code escalation} gives each
   * plan's escalation lines (who is paged at each level, and when).
   */
  public static String format(List<Plan> plans, Instant at, Function<Plan, String> escalation) {
    StringBuilder sb = new StringBuilder();
    sb.append("simulated at ")
        .append(at)
        .append(" (dry run: nothing is executed; the incident id reads as INC-0)\n");
    for (Plan p : plans) {
      sb.append('\n');
      sb.append("incident: ")
          .append(p.group().alerts().size())
          .append(p.group().alerts().size() == 1 ? " alert" : " alerts")
          .append(", labels ")
          .append(labels(p.group().labels()))
          .append('\n');
      Triage.Outcome c = p.classification();
      sb.append("classification: severity ")
          .append(c.severity().wire())
          .append(", type ")
          .append(c.type() == null ? "-" : c.type())
          .append(", team ")
          .append(c.team() == null ? "-" : c.team())
          .append('\n');
      if (p.selection().isPresent()) {
        Runbook rb = p.selection().get().runbook();
        Rollout r = rb.rollout();
        sb.append("runbook: ")
            .append(rb.name())
            .append(" (version ")
            .append(rb.version())
            .append(")\n");
        sb.append("mode: ").append(p.selection().get().mode().wire());
        sb.append(" (timeout ").append(Durations.format(rb.timeout()));
        if (r.minSuccessRate() > 0) {
          sb.append("; drops to manual below a success rate of ")
              .append(r.minSuccessRate())
              .append(" over ")
              .append(r.window())
              .append(" runs");
        }
        sb.append(")\n");
      } else {
        sb.append("runbook: none\n");
      }
      p.notes().forEach(n -> sb.append("note: ").append(n).append('\n'));
      if (!p.steps().isEmpty()) {
        sb.append("steps:\n");
        int i = 1;
        for (PlannedStep s : p.steps()) {
          sb.append(String.format("  %d. %s [%s]", i++, s.id(), s.kind()));
          if (!s.needs().isEmpty()) {
            sb.append(" after ").append(String.join(", ", s.needs()));
          }
          sb.append('\n');
          s.when().ifPresent(w -> sb.append("     when ").append(w).append('\n'));
          sb.append("     ").append(s.action().summary()).append('\n');
        }
        Runbook rb = p.selection().get().runbook();
        sb.append("then: on success ")
            .append(rb.onSuccess().wire())
            .append(" the incident, on failure ")
            .append(rb.onFailure().wire())
            .append('\n');
      }
      sb.append(escalation.apply(p));
    }
    return sb.toString();
  }

  private static String labels(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder("{");
    labels.forEach(
        (k, v) ->
            sb.append(sb.length() > 1 ? ", " : "")
                .append(k)
                .append("=\"")
                .append(v.replace("\"", "\\\""))
                .append('"'));
    return sb.append('}').toString();
  }
}
