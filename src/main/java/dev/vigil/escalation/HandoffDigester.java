package dev.vigil.escalation;

import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.IncidentStore;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.Outbox;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.Shift;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import dev.vigil.timer.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At the start of each team's coverage window, writes one handoff digest intent for the incoming
 * team: the open incidents, what was resolved (and auto-resolved, by Alertmanager or a runbook)
 * since the end of that team's previous shift, and the escalations still waiting for an
 * acknowledgement.
 *
 * <p>The intent's key is {@code digest:<team>:<window start>}, so a restart or a second replica at
 * the same instant writes it once. A window start missed while the daemon was down is not sent
 * late: a digest about a shift that already began would mislead more than it helps.
 *
 * <p>The windows may be live (the daemon's, which a reload of teams.yaml replaces): {@link
 * #restart} re-arms the alarm for the next window start of the schedule in force.
 */
public final class HandoffDigester {
  private static final Logger log = LoggerFactory.getLogger(HandoffDigester.class);
  private static final int LIST_LIMIT = 200;

  private final Resolver resolver;
  private final IncidentStore incidents;
  private final EscalationStore escalations;
  private final Outbox outbox;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Runnable onIntents;
  private Scheduler.Timer timer;

  /** Bumped by {@link #stop}: an alarm armed before it does not re-arm after its digest. */
  private long generation;

  public HandoffDigester(
      TeamsFile teams,
      IncidentStore incidents,
      EscalationStore escalations,
      Outbox outbox,
      Scheduler scheduler,
      Clock clock,
      Runnable onIntents) {
    this(() -> teams, incidents, escalations, outbox, scheduler, clock, onIntents);
  }

  /** Digests at the window starts of the teams {@code teams} gives. */
  public HandoffDigester(
      Supplier<TeamsFile> teams,
      IncidentStore incidents,
      EscalationStore escalations,
      Outbox outbox,
      Scheduler scheduler,
      Clock clock,
      Runnable onIntents) {
    this.resolver = new Resolver(() -> teams.get().schedule(), clock);
    this.incidents = incidents;
    this.escalations = escalations;
    this.outbox = outbox;
    this.scheduler = scheduler;
    this.clock = clock;
    this.onIntents = onIntents;
  }

  /** Arms the alarm for the next window start. */
  public synchronized void start() {
    armAfter(clock.instant());
  }

  /**
   * After a reload: the alarm for the next window start of the schedule in force, if {@code
   * enabled}; else none.
   */
  public synchronized void restart(boolean enabled) {
    stop();
    if (enabled) {
      start();
    }
  }

  public synchronized void stop() {
    generation++;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private synchronized void armAfter(Instant t) {
    List<Shift> upcoming =
        resolver.shiftsStartingBetween(t.plusMillis(1), t.plus(Resolver.LOOK_AHEAD));
    if (upcoming.isEmpty()) {
      return;
    }
    Instant at = upcoming.get(0).start();
    long armed = generation;
    timer =
        scheduler.at(
            at,
            () ->
                digestAt(at)
                    .eventually(
                        () -> {
                          rearm(armed, at);
                          return Future.succeededFuture();
                        }));
  }

  private synchronized void rearm(long armed, Instant after) {
    if (armed == generation) {
      armAfter(after);
    }
  }

  /** Writes the digest of every team whose window starts at {@code at}. */
  Future<Void> digestAt(Instant at) {
    List<Shift> starting = resolver.shiftsStartingBetween(at, at.plusMillis(1));
    Future<Void> chain = Future.succeededFuture();
    for (Shift s : starting) {
      chain =
          chain.compose(
              v ->
                  digest(s)
                      .recover(
                          e -> {
                            log.atError()
                                .addKeyValue("team", s.team().value())
                                .setCause(e)
                                .log(
                                    "handoff: digest for team {} at {} failed: {}",
                                    s.team(),
                                    s.start(),
                                    e.getMessage());
                            return Future.succeededFuture();
                          }));
    }
    return chain;
  }

  private Future<Void> digest(Shift shift) {
    Instant since = previousShiftEnd(shift).orElse(shift.start().minus(Duration.ofDays(1)));
    Future<List<Incident>> triggered =
        incidents.list(new IncidentQuery(IncidentStatus.TRIGGERED, null, null, LIST_LIMIT));
    Future<List<Incident>> acked =
        incidents.list(new IncidentQuery(IncidentStatus.ACKNOWLEDGED, null, null, LIST_LIMIT));
    Future<List<Incident>> resolved =
        incidents.list(new IncidentQuery(IncidentStatus.RESOLVED, null, null, LIST_LIMIT));
    Future<List<EscalationState>> pending = escalations.armed();
    return Future.all(triggered, acked, resolved, pending)
        .compose(
            v -> {
              JsonArray open = new JsonArray();
              triggered.result().forEach(i -> open.add(brief(i)));
              acked.result().forEach(i -> open.add(brief(i)));
              JsonArray resolvedByPeople = new JsonArray();
              JsonArray autoResolved = new JsonArray();
              for (Incident i : resolved.result()) {
                if (i.resolvedAt() != null && !i.resolvedAt().isBefore(since)) {
                  boolean auto =
                      i.resolvedBy() == null
                          || i.resolvedBy().equals("alertmanager")
                          || i.resolvedBy().startsWith("runbook:");
                  (auto ? autoResolved : resolvedByPeople).add(brief(i));
                }
              }
              JsonArray escalating = new JsonArray();
              pending
                  .result()
                  .forEach(
                      e ->
                          escalating.add(
                              new JsonObject()
                                  .put("incident", e.incident().toString())
                                  .put("policy", e.policy())
                                  .put("step", e.step())
                                  .put("dueAt", e.dueAt().toString())));
              Optional<Team> found = resolver.schedule().team(shift.team());
              if (found.isEmpty()) {
                return Future
                    .succeededFuture(); // removed from teams.yaml by a reload since its window was
                // computed
              }
              Team team = found.get();
              JsonObject payload =
                  new JsonObject()
                      .put("team", shift.team().value())
                      .put("shiftStart", shift.start().toString())
                      .put("shiftEnd", shift.end().toString())
                      .put("since", since.toString())
                      .put("open", open)
                      .put("resolved", resolvedByPeople)
                      .put("autoResolved", autoResolved)
                      .put("pendingEscalations", escalating);
              NotificationIntent intent =
                  new NotificationIntent(
                      "digest:" + shift.team() + ":" + shift.start().toEpochMilli(),
                      NotificationIntent.Kind.DIGEST,
                      null,
                      shift.team(),
                      0,
                      team.channels().kinds(),
                      payload.encode());
              return outbox
                  .enqueue(intent, clock.instant())
                  .map(
                      stored -> {
                        if (stored) {
                          log.atInfo()
                              .addKeyValue("team", shift.team().value())
                              .log(
                                  "handoff: digest for team {}: {} open, {} resolved, {} auto-resolved, {} escalating",
                                  shift.team(),
                                  open.size(),
                                  resolvedByPeople.size(),
                                  autoResolved.size(),
                                  escalating.size());
                          onIntents.run();
                        }
                        return null;
                      });
            });
  }

  /** When the team's previous shift ended, looking back at most eight days. */
  private Optional<Instant> previousShiftEnd(Shift shift) {
    TeamId team = shift.team();
    return resolver
        .shiftsStartingBetween(shift.start().minus(Resolver.LOOK_AHEAD), shift.start())
        .stream()
        .filter(s -> s.team().equals(team))
        .map(Shift::end)
        .filter(e -> !e.isAfter(shift.start()))
        .reduce((a, b) -> b);
  }

  private static JsonObject brief(Incident i) {
    JsonObject o =
        new JsonObject()
            .put("id", i.id().toString())
            .put("title", i.title())
            .put("severity", i.severity().wire())
            .put("status", i.status().wire());
    if (i.team() != null) {
      o.put("team", i.team());
    }
    if (i.resolvedBy() != null) {
      o.put("resolvedBy", i.resolvedBy());
    }
    return o;
  }
}
