package dev.vigil.runbook.action;

import dev.cel.common.types.CelType;
import dev.vigil.config.Durations;
import dev.vigil.config.Fields;
import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Template;
import dev.vigil.expr.Template.Insertion;
import dev.vigil.expr.Values;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code approval} step: asks for a decision (through {@link Notifications}: a Slack message
 * with Approve and Reject buttons) and pauses the run durably until someone approves or rejects it
 * ({@code POST /api/v1/runs/{id}/approve|reject}) or its timeout fails it. Without a timeout it
 * waits for as long as the run's own timeout allows; the step's {@code timeout} does not apply.
 */
public final class ApprovalStep implements StepKind {

  @Override
  public String name() {
    return "approval";
  }

  @Override
  public CelType outputType() {
    return ExprTypes.APPROVAL_OUTPUT;
  }

  @Override
  public Map<String, Object> zeroOutput() {
    return Map.of("decision", "", "by", "", "at", "");
  }

  @Override
  public boolean timeoutPerTry() {
    return false;
  }

  /** An approval found waiting after a restart, past its wake-up time, times out. */
  @Override
  public StepOutcome.Suspend wakeAfterRestart() {
    return new StepOutcome.Suspend(null, true, "no decision within the approval's timeout");
  }

  @Override
  public boolean awaitsDecision() {
    return true;
  }

  @Override
  public Optional<Spec> parse(YamlNode node, SpecReader in) {
    Fields a = node.fields("text", "approvers", "timeout");
    Optional<Template> txt = a.required("text").flatMap(in::template);
    List<String> approvers = a.strings("approvers");
    Optional<Duration> timeout = a.get("timeout").flatMap(in::positive);
    return txt.map(t -> new Spec(t, approvers, timeout, node.pos()));
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
    Request req = (Request) attempt.action();
    Instant wake = req.timeout().map(t -> services.clock().instant().plus(t)).orElse(null);
    String text =
        "Approval needed for runbook "
            + attempt.runbook()
            + " ("
            + attempt.run()
            + ", step "
            + attempt.step()
            + "): "
            + req.text()
            + " — use the buttons, `/vigil approve "
            + attempt.run()
            + "` or `/vigil reject "
            + attempt.run()
            + "`, or POST /api/v1/runs/"
            + attempt.run()
            + "/approve or /reject";
    return services
        .notifications()
        .send(
            new Notifications.Intent(
                attempt.incident(),
                "slack",
                "",
                text,
                attempt.run() + "/" + attempt.step(),
                attempt.run()))
        .map(
            sent ->
                (StepOutcome)
                    new StepOutcome.Suspend(
                        wake,
                        true,
                        "no decision within "
                            + req.timeout().map(Durations::format).orElse("the run's timeout")))
        .recover(
            e ->
                Future.succeededFuture(
                    StepOutcome.failed(
                        "approval: could not ask for a decision: " + e.getMessage(), Map.of())));
  }

  /** A durable pause until a person approves or rejects, or {@code timeout} fails the step. */
  public record Spec(Template text, List<String> approvers, Optional<Duration> timeout, Pos pos)
      implements StepSpec {
    public Spec {
      approvers = List.copyOf(approvers);
    }

    @Override
    public String kind() {
      return "approval";
    }

    @Override
    public Request render(Renderer b) throws EvalException {
      return new Request(
          b.text(text, Insertion.SLACK), approvers, timeout); // posted to Slack as mrkdwn
    }
  }

  public record Request(String text, List<String> approvers, Optional<Duration> timeout)
      implements RenderedAction {
    @Override
    public String summary() {
      return "approval "
          + Values.json(text)
          + " by "
          + (approvers.isEmpty() ? "anyone on the active team" : String.join(", ", approvers))
          + timeout.map(t -> " within " + Durations.format(t)).orElse("");
    }
  }
}
