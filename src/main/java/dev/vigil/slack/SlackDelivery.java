package dev.vigil.slack;

import dev.vigil.config.VigilConfig;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.notify.Circuit;
import dev.vigil.notify.Notifier;
import dev.vigil.notify.Pacer;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Vigil's messages to Slack, assembled from the config when there is a bot token: the {@link
 * SlackClient} behind its own {@link Circuit}, the incidents' {@link SlackMessages} and the {@link
 * SlackNotifier} the outbox delivers through. The commands and buttons update incident messages
 * through {@link #messages()}. Closing it closes the client.
 */
public final class SlackDelivery implements AutoCloseable {

  /**
   * Pacing and bounds that are not configuration: about 1 call a second per channel (Slack's limit
   * for chat.postMessage), and at most a minute for the Slack SDK to hold one call while it waits
   * out Retry-After.
   */
  public record Tuning(Duration pace, Duration maxWait) {
    public static final Tuning DEFAULT = new Tuning(Duration.ofSeconds(1), Duration.ofMinutes(1));
  }

  private final SlackClient client;
  private final SlackMessages messages;
  private final SlackNotifier notifier;

  private SlackDelivery(SlackClient client, SlackMessages messages, SlackNotifier notifier) {
    this.client = client;
    this.messages = messages;
    this.notifier = notifier;
  }

  /**
   * Empty when {@code slack.botToken} is not configured.
   *
   * @param teams the teams at each use (a reload of teams.yaml changes their channels)
   * @param runbookStatus an incident's runbook status in a few words, for its message
   */
  public static Optional<SlackDelivery> create(
      Vertx vertx,
      VigilConfig config,
      Supplier<? extends Collection<Team>> teams,
      SlackMessageStore store,
      IncidentStore incidents,
      Clock clock,
      MeterRegistry metrics,
      Function<IncidentId, Future<String>> runbookStatus,
      Tuning tuning) {
    if (!config.slack().enabled()) {
      return Optional.empty();
    }
    Function<TeamId, Optional<String>> channels =
        id ->
            teams.get().stream()
                .filter(t -> t.id().equals(id))
                .findFirst()
                .map(t -> t.channels().slackChannel())
                .filter(c -> !c.isEmpty());
    VigilConfig.Breaker breaker = config.breaker();
    Circuit circuit = new Circuit(vertx, "slack", breaker, -1, metrics);
    SlackClient client =
        new SlackClient(
            vertx,
            config.slack().apiUrl(),
            config.slack().botToken().reveal(),
            circuit,
            (int) breaker.timeout().toMillis(),
            (int) tuning.maxWait().toMillis());
    SlackMessages messages =
        new SlackMessages(
            client, store, incidents, new Pacer(vertx, tuning.pace()), clock, runbookStatus);
    return Optional.of(
        new SlackDelivery(
            client,
            messages,
            new SlackNotifier(messages, channels, config.slack().opsChannel(), circuit)));
  }

  /** The Slack integration of the outbox. */
  public Notifier notifier() {
    return notifier;
  }

  /** The incidents' messages, for the commands and buttons. */
  public SlackMessages messages() {
    return messages;
  }

  @Override
  public void close() {
    client.close();
  }
}
