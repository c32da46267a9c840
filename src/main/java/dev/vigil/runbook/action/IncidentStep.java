package dev.vigil.runbook.action;

import dev.vigil.config.Fields;
import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.Template;
import dev.vigil.expr.Template.Insertion;
import dev.vigil.expr.Values;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code incident} step: acknowledge, resolve, note or escalate the run's incident.
 * Acknowledging an incident that is already acknowledged (or resolving a resolved one) is not a
 * failure: the incident is where the step wanted it.
 */
public final class IncidentStep implements StepKind {
  public static final List<String> ACTIONS = List.of("acknowledge", "resolve", "note", "escalate");

  @Override
  public String name() {
    return "incident";
  }

  @Override
  public Optional<Spec> parse(YamlNode node, SpecReader in) {
    Fields i = node.fields("action", "text");
    Optional<String> action = i.required("action").flatMap(n -> n.oneOf(ACTIONS));
    Optional<Template> txt = i.get("text").flatMap(in::template);
    if (action.filter("note"::equals).isPresent() && txt.isEmpty() && !i.has("text")) {
      i.node().error("a note needs text");
    }
    return action.map(a -> new Spec(a, txt, node.pos()));
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
    Change a = (Change) attempt.action();
    IncidentStore incidents = services.incidents();
    Clock clock = services.clock();
    String by = "runbook:" + attempt.runbook();
    String text = a.text().orElse("");
    Future<?> f =
        switch (a.action()) {
          case "acknowledge" ->
              incidents
                  .acknowledge(attempt.incident(), by, text, clock.instant())
                  .recover(IncidentStep::alreadyThere);
          case "resolve" ->
              incidents
                  .resolve(attempt.incident(), by, text, clock.instant())
                  .recover(IncidentStep::alreadyThere);
          case "note" ->
              incidents.append(
                  attempt.incident(), new TimelineEvent(clock.instant(), "note", by, text));
          case "escalate" ->
              services
                  .escalation()
                  .escalateNow(
                      attempt.incident(),
                      by,
                      text.isEmpty() ? "runbook " + attempt.runbook() + " asked for it" : text);
          default -> Future.failedFuture("unknown incident action " + a.action());
        };
    return f.map(x -> StepOutcome.done(Map.of()))
        .recover(
            e ->
                Future.succeededFuture(
                    StepOutcome.failed(
                        "incident " + a.action() + " " + attempt.incident() + ": " + e.getMessage(),
                        Map.of())));
  }

  private static <T> Future<T> alreadyThere(Throwable e) {
    if (e instanceof IncidentException ie && ie.reason() != IncidentException.Reason.NOT_FOUND) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(e);
  }

  /** A change to the incident itself. */
  public record Spec(String action, Optional<Template> text, Pos pos) implements StepSpec {
    @Override
    public String kind() {
      return "incident";
    }

    @Override
    public Change render(Renderer b) throws EvalException {
      return new Change(
          action,
          text.isPresent() ? Optional.of(b.text(text.get(), Insertion.TEXT)) : Optional.empty());
    }
  }

  public record Change(String action, Optional<String> text) implements RenderedAction {
    @Override
    public String summary() {
      return "incident " + action + text.map(t -> ": " + Values.json(t)).orElse("");
    }
  }
}
