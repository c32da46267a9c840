package dev.vigil.runbook.engine;

import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.action.Notifications;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollout guard: when a runbook version's success rate over its last {@code rollout.window}
 * finished runs falls below {@code rollout.minSuccessRate}, that version goes manual (a trip,
 * stored so it outlives a restart) until its file is edited. Trips and success rates are read from
 * any thread; checks run on the engine's loop.
 */
final class RolloutGuard {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutGuard.class);

  private final RunStore store;
  private final IncidentStore incidents;
  private final Notifications notifications;
  private final Clock clock;
  private final Loop loop;
  private final Map<String, RunStore.Trip> trips = new ConcurrentHashMap<>();
  private final Map<String, Double> successRates = new ConcurrentHashMap<>();

  RolloutGuard(
      RunStore store,
      IncidentStore incidents,
      Notifications notifications,
      Clock clock,
      Loop loop) {
    this.store = store;
    this.incidents = incidents;
    this.notifications = notifications;
    this.clock = clock;
    this.loop = loop;
  }

  /** Reads the stored trips (at start). */
  Future<Void> load() {
    return store.trips().onSuccess(trips::putAll).mapEmpty();
  }

  /** The trip of a runbook, if its version {@code version} was switched to manual. */
  Optional<RunStore.Trip> trip(String runbook, String version) {
    RunStore.Trip t = trips.get(runbook);
    return t != null && t.version().equals(version) ? Optional.of(t) : Optional.empty();
  }

  /** Success rate over the last window of finished runs, once any finished since start. */
  Optional<Double> successRate(String runbook) {
    return Optional.ofNullable(successRates.get(runbook));
  }

  /**
   * Why a version with these latest outcomes (newest first) goes manual, if it does: a full window
   * below the minimum success rate.
   */
  static Optional<String> verdict(List<RunStatus> outcomes, Rollout rollout) {
    double rate = rate(outcomes);
    if (outcomes.isEmpty()
        || outcomes.size() < rollout.window()
        || rate >= rollout.minSuccessRate()) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "success rate %.2f over the last %d runs is below minSuccessRate %.2f",
            rate,
            outcomes.size(),
            rollout.minSuccessRate()));
  }

  private static double rate(List<RunStatus> outcomes) {
    long ok = outcomes.stream().filter(o -> o == RunStatus.SUCCEEDED).count();
    return outcomes.isEmpty() ? 0 : (double) ok / outcomes.size();
  }

  /** After a real run of {@code rb} ended for {@code incident}: updates the rate, maybe trips. */
  void check(Runbook rb, IncidentId incident) {
    store
        .recentOutcomes(rb.name(), rb.version(), rb.rollout().window())
        .onSuccess(
            outcomes ->
                loop.run(
                    () -> {
                      if (outcomes.isEmpty()) {
                        return;
                      }
                      successRates.put(rb.name(), rate(outcomes));
                      Optional<String> reason = verdict(outcomes, rb.rollout());
                      if (reason.isPresent() && trip(rb.name(), rb.version()).isEmpty()) {
                        tripped(rb, incident, reason.get());
                      }
                    }));
  }

  private void tripped(Runbook rb, IncidentId incident, String reason) {
    Instant now = clock.instant();
    trips.put(rb.name(), new RunStore.Trip(rb.version(), reason, now));
    store.trip(rb.name(), rb.version(), reason, now);
    String text =
        "runbook "
            + rb.name()
            + " ("
            + rb.version()
            + ") switched itself to manual: "
            + reason
            + ". Edit the runbook file to switch it back.";
    LOG.atWarn().addKeyValue("runbook", rb.name()).log(text);
    incidents.append(
        incident, new TimelineEvent(now, "runbook-guard", "runbook:" + rb.name(), text));
    notifications.send(
        new Notifications.Intent(
            incident, "ops", "", text, "guard/" + rb.name() + "/" + rb.version()));
  }
}
