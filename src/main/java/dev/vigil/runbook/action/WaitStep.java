package dev.vigil.runbook.action;

import dev.vigil.config.Durations;
import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code wait} step: a durable pause. The engine stores the wake-up time, so a restart waits
 * only for what is left. The step's {@code timeout} does not apply: the duration is the step.
 */
public final class WaitStep implements StepKind {

  @Override
  public String name() {
    return "wait";
  }

  @Override
  public boolean timeoutPerTry() {
    return false;
  }

  @Override
  public Optional<Spec> parse(YamlNode node, SpecReader in) {
    return in.positive(node).map(d -> new Spec(d, node.pos()));
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
    Pause pause = (Pause) attempt.action();
    return Future.succeededFuture(
        new StepOutcome.Suspend(services.clock().instant().plus(pause.duration()), false, null));
  }

  /** A durable pause. */
  public record Spec(Duration duration, Pos pos) implements StepSpec {
    @Override
    public String kind() {
      return "wait";
    }

    @Override
    public Pause render(Renderer b) {
      return new Pause(duration);
    }
  }

  public record Pause(Duration duration) implements RenderedAction {
    @Override
    public String summary() {
      return "wait " + Durations.format(duration);
    }
  }
}
