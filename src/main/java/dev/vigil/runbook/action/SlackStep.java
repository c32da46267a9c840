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
import java.util.Map;
import java.util.Optional;

/**
 * The {@code slack} step: a message in the notification outbox (key: the run and step, so a step
 * run again after a crash posts once), waited for until it is delivered. Its output is where the
 * message went and its {@code ts}, so a later step can address it (a thread reply, {@code
 * chat.update}). A message Slack refused for good, or could not take within its retries, fails the
 * step with why.
 */
public final class SlackStep implements StepKind {

  @Override
  public String name() {
    return "slack";
  }

  @Override
  public CelType outputType() {
    return ExprTypes.SLACK_OUTPUT;
  }

  @Override
  public Map<String, Object> zeroOutput() {
    return Map.of("channel", "", "channelId", "", "ts", "");
  }

  @Override
  public Optional<Spec> parse(YamlNode node, SpecReader in) {
    Fields s = node.fields("channel", "text");
    Optional<Template> channel = s.get("channel").flatMap(in::template);
    Optional<Template> txt = s.required("text").flatMap(in::template);
    return txt.map(t -> new Spec(channel, t, node.pos()));
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
    Message m = (Message) attempt.action();
    Notifications notifications = services.notifications();
    String key = attempt.run() + "/" + attempt.step();
    attempt.onCancel(() -> notifications.abandon(key));
    return notifications
        .post(
            new Notifications.Intent(
                attempt.incident(), "slack", m.channel().orElse(""), m.text(), key))
        .map(StepOutcome::done)
        .recover(e -> Future.succeededFuture(StepOutcome.failed(e.getMessage(), Map.of())));
  }

  /** A Slack message; no channel means the incident's team channel. */
  public record Spec(Optional<Template> channel, Template text, Pos pos) implements StepSpec {
    @Override
    public String kind() {
      return "slack";
    }

    @Override
    public Message render(Renderer b) throws EvalException {
      return new Message(
          channel.isPresent()
              ? Optional.of(b.text(channel.get(), Insertion.TEXT))
              : Optional.empty(),
          b.text(text, Insertion.SLACK));
    }
  }

  public record Message(Optional<String> channel, String text) implements RenderedAction {
    @Override
    public String summary() {
      return "slack " + channel.orElse("(team channel)") + ": " + Values.json(text);
    }
  }
}
