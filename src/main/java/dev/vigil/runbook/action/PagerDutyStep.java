package dev.vigil.runbook.action;

import dev.cel.common.types.CelType;
import dev.vigil.config.Fields;
import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Template;
import dev.vigil.expr.Template.Insertion;
import dev.vigil.expr.Values;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code pagerduty} step: a PagerDuty Events v2 event ({@code trigger}, {@code acknowledge} or
 * {@code resolve}) with the incident's id as {@code dedup_key}, to the routing key of the
 * incident's team (or the team the step names), through the notification outbox (key: the run and
 * step, so a step run again after a crash sends one event). The step waits until PagerDuty took the
 * event and outputs the {@code dedupKey} it returned. It fails, saying why, when nothing was paged:
 * no team or routing key, PagerDuty off, a refusal (HTTP 400), retries used up, or a trigger for an
 * incident resolved meanwhile.
 */
public final class PagerDutyStep implements StepKind {
  public static final List<String> ACTIONS = List.of("trigger", "acknowledge", "resolve");

  @Override
  public String name() {
    return "pagerduty";
  }

  @Override
  public CelType outputType() {
    return ExprTypes.PAGERDUTY_OUTPUT;
  }

  @Override
  public Map<String, Object> zeroOutput() {
    return Map.of("dedupKey", "");
  }

  @Override
  public Optional<Spec> parse(YamlNode node, SpecReader in) {
    Fields p = node.fields("action", "summary", "severity", "team");
    String action = p.oneOf("action", "trigger", ACTIONS);
    Optional<Template> summary = p.get("summary").flatMap(in::template);
    Optional<String> severity =
        p.get("severity").flatMap(n -> n.oneOf(List.of("critical", "error", "warning", "info")));
    // a team id as written (never a template: an alert's labels must not choose who is paged)
    Optional<String> team =
        p.get("team")
            .flatMap(
                n ->
                    n.string()
                        .filter(
                            t -> {
                              boolean ok = t.matches("[A-Za-z0-9][A-Za-z0-9_.-]*");
                              if (!ok) {
                                n.error(
                                    "\""
                                        + t
                                        + "\" is not a team id (letters, digits, '_', '.' or '-', as in teams.yaml)");
                              }
                              return ok;
                            }));
    return Optional.of(new Spec(action, summary, severity, team, node.pos()));
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
    Page p = (Page) attempt.action();
    Notifications notifications = services.notifications();
    String key = attempt.run() + "/" + attempt.step();
    attempt.onCancel(() -> notifications.abandon(key));
    return notifications
        .page(
            new Notifications.Page(
                attempt.incident(), p.action(), p.summaryText(), p.severity(), p.team(), key))
        .map(StepOutcome::done)
        .recover(e -> Future.succeededFuture(StepOutcome.failed(e.getMessage(), Map.of())));
  }

  /**
   * A PagerDuty event for this incident (dedup key: the incident id), to its team's routing key or
   * the named team's.
   */
  public record Spec(
      String action,
      Optional<Template> summary,
      Optional<String> severity,
      Optional<String> team,
      Pos pos)
      implements StepSpec {
    @Override
    public String kind() {
      return "pagerduty";
    }

    @Override
    public Page render(Renderer b) throws EvalException {
      return new Page(
          action,
          summary.isPresent()
              ? Optional.of(b.text(summary.get(), Insertion.TEXT))
              : Optional.empty(),
          severity,
          team);
    }
  }

  /**
   * @param team the team whose routing key is paged; empty: the incident's team
   */
  public record Page(
      String action, Optional<String> summaryText, Optional<String> severity, Optional<String> team)
      implements RenderedAction {
    @Override
    public String summary() {
      return "pagerduty "
          + action
          + team.map(t -> " to team " + t).orElse("")
          + severity.map(s -> " " + s).orElse("")
          + summaryText.map(s -> ": " + Values.json(s)).orElse("");
    }
  }
}
