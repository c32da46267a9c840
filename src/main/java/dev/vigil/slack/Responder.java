package dev.vigil.slack;

import dev.vigil.config.Durations;
import dev.vigil.escalation.EscalationException;
import dev.vigil.escalation.Escalator;
import dev.vigil.expr.Mrkdwn;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.oncall.OnCall;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Carries out {@link Command}s for a Slack user and words the answers. Restricted commands pass the
 * {@link Gatekeeper} first; every change is recorded with {@code by = slack:<user id>}. Failures
 * that a person can act on (unknown incident, already resolved, not allowed) come back as replies,
 * not as failed futures; only unexpected errors fail. Thread-safe; never blocks.
 */
public final class Responder {
  static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("EEE HH:mm", Locale.ROOT);
  private static final int LIST_LIMIT = 20;

  /** What the commands act on. */
  public record Deps(
      IncidentStore incidents,
      Escalator escalator,
      Resolver resolver,
      Overrides overrides,
      RunStarter runs,
      Approvals approvals,
      Gatekeeper gate,
      Clock clock) {}

  private final Deps d;

  public Responder(Deps deps) {
    this.d = deps;
  }

  /** Carries out {@code c}; the future fails only on unexpected errors (the caller logs them). */
  public Future<Reply> execute(Command c, Actor actor) {
    String action = Gatekeeper.actionOf(c);
    Future<Void> allowed =
        action == null ? Future.succeededFuture() : d.gate().check(action, actor);
    return allowed.compose(v -> perform(c, actor)).recover(Responder::explain);
  }

  /** Expected failures become a reply to the caller alone; anything else stays a failure. */
  static Future<Reply> explain(Throwable e) {
    if (e instanceof Refusal
        || e instanceof Usage
        || e instanceof IncidentException
        || e instanceof EscalationException
        || e instanceof IllegalArgumentException) {
      return Future.succeededFuture(Reply.toCaller(e.getMessage()));
    }
    return Future.failedFuture(e);
  }

  private Future<Reply> perform(Command c, Actor actor) {
    Instant now = d.clock().instant();
    if (c instanceof Command.Help) {
      return Future.succeededFuture(Reply.toCaller(help()));
    }
    if (c instanceof Command.ListOpen) {
      return list(now);
    }
    if (c instanceof Command.Show s) {
      return show(s.incident(), now);
    }
    if (c instanceof Command.Ack a) {
      return d.incidents()
          .acknowledge(a.incident(), actor.by(), "", now)
          .map(
              i ->
                  Reply.toChannel(
                      i.id()
                          + " acknowledged by "
                          + actor.mention()
                          + ": escalation stops. _"
                          + Mrkdwn.escape(i.title())
                          + "_"));
    }
    if (c instanceof Command.Resolve r) {
      return d.incidents()
          .resolve(r.incident(), actor.by(), r.note(), now)
          .map(
              i ->
                  Reply.toChannel(
                      i.id()
                          + " resolved by "
                          + actor.mention()
                          + (r.note().isEmpty() ? "" : ": " + Mrkdwn.escape(r.note()))
                          + ". _"
                          + Mrkdwn.escape(i.title())
                          + "_"));
    }
    if (c instanceof Command.Snooze s) {
      Instant until = now.plus(s.duration());
      return d.escalator()
          .snooze(s.incident(), until, actor.by())
          .map(
              st ->
                  Reply.toChannel(
                      "Escalation of "
                          + s.incident()
                          + " snoozed by "
                          + actor.mention()
                          + " for "
                          + Durations.format(s.duration())
                          + ", until "
                          + utc(until)
                          + (st.dueAt().isAfter(until)
                              ? " (the next level was due later anyway, at " + utc(st.dueAt()) + ")"
                              : "")
                          + ". A new alert in the incident ends the snooze; acknowledge to stop escalation."));
    }
    if (c instanceof Command.Escalate e) {
      return d.escalator()
          .escalateNow(e.incident(), actor.by())
          .map(
              st ->
                  st.step() < 0
                      ? Reply.toCaller(
                          e.incident()
                              + " was starting to escalate at the same moment; see `/vigil show "
                              + e.incident()
                              + "`")
                      : Reply.toChannel(
                          e.incident()
                              + " escalated by "
                              + actor.mention()
                              + ": now at level "
                              + (st.step() + 1)
                              + " of policy "
                              + st.policy()
                              + (st.dueAt() == null
                                  ? ""
                                  : "; the next level follows at "
                                      + utc(st.dueAt())
                                      + " unless acknowledged")
                              + "."));
    }
    if (c instanceof Command.Oncall o) {
      Instant at = o.at().orElse(now);
      return d.overrides()
          .refresh()
          .map(list -> Reply.toCaller(oncall(d.resolver().at(at, list), o.at().isEmpty())));
    }
    if (c instanceof Command.Run r) {
      return d.runs()
          .start(r.runbook(), r.incident(), actor.by())
          .map(
              run ->
                  Reply.toChannel(
                      actor.mention()
                          + " started "
                          + run.id()
                          + " of runbook "
                          + run.runbook()
                          + " for "
                          + r.incident()
                          + " ("
                          + run.status()
                          + ")."));
    }
    if (c instanceof Command.Approve a) {
      return stepApprovers(a.run(), actor)
          .compose(v -> d.approvals().decide(a.run(), true, actor.by()))
          .map(
              run ->
                  Reply.toChannel(
                      run.id()
                          + " approved by "
                          + actor.mention()
                          + "; the run is "
                          + run.status()
                          + "."));
    }
    if (c instanceof Command.Reject r) {
      return stepApprovers(r.run(), actor)
          .compose(v -> d.approvals().decide(r.run(), false, actor.by()))
          .map(
              run ->
                  Reply.toChannel(
                      run.id()
                          + " rejected by "
                          + actor.mention()
                          + "; the run is "
                          + run.status()
                          + "."));
    }
    if (c instanceof Command.OverrideTeam o) {
      Optional<Team> team = d.resolver().schedule().team(o.team());
      if (team.isEmpty()) {
        return Future.succeededFuture(
            Reply.toCaller("unknown team \"" + o.team() + "\"; teams are " + teams()));
      }
      Instant until = now.plus(o.duration());
      return d.overrides()
          .add(o.team(), now, until, actor.by(), "from Slack")
          .map(
              ov ->
                  Reply.toChannel(
                      actor.mention()
                          + " put "
                          + o.team()
                          + " on call until "
                          + utc(until)
                          + " ("
                          + local(team.get(), until)
                          + " for "
                          + o.team()
                          + "), for "
                          + Durations.format(o.duration())
                          + ". Override #"
                          + ov.id()
                          + "; it expires on its own."));
    }
    return Future.failedFuture(new IllegalStateException("no handler for " + c));
  }

  /**
   * An approval step admits only its approvers, or if it names none the team on call now (its Slack
   * user group), after {@code chatops.allow.approve}.
   */
  private Future<Void> stepApprovers(String run, Actor actor) {
    return d.approvals()
        .approvers(run)
        .compose(
            found ->
                found
                    .filter(a -> !a.ids().isEmpty())
                    .map(
                        a ->
                            d.gate()
                                .among(
                                    a.ids(),
                                    actor,
                                    "approve",
                                    "step " + a.step() + " of " + run + " (" + a.source() + ")"))
                    .orElseGet(Future::succeededFuture));
  }

  static String help() {
    StringBuilder sb = new StringBuilder("*Vigil in Slack*\n");
    CommandParser.FORMS.forEach(
        f -> sb.append("• `/vigil ").append(f[0]).append("`: ").append(f[1]).append('\n'));
    sb.append("IDs look like INC-42 and RUN-7; durations like 30m, 2h, 1h30m.");
    return sb.toString();
  }

  private Future<Reply> list(Instant now) {
    return d.incidents()
        .list(new IncidentQuery(null, null, null, 200))
        .map(
            all -> {
              List<Incident> open =
                  all.stream().filter(i -> i.status().isOpen() && !i.dropped()).toList();
              if (open.isEmpty()) {
                return Reply.toCaller("No open incidents.");
              }
              StringBuilder sb = new StringBuilder("*Open incidents* (" + open.size() + ")\n");
              open.stream()
                  .limit(LIST_LIMIT)
                  .forEach(
                      i ->
                          sb.append("• *")
                              .append(i.id())
                              .append("* ")
                              .append(i.severity().wire())
                              .append(" · ")
                              .append(i.status().wire())
                              .append(" · ")
                              .append(i.team() == null ? "no team" : Mrkdwn.escape(i.team()))
                              .append(" · ")
                              .append(Mrkdwn.escape(i.title()))
                              .append(" (opened ")
                              .append(ago(i.openedAt(), now))
                              .append(" ago)\n"));
              if (open.size() > LIST_LIMIT) {
                sb.append("…and ")
                    .append(open.size() - LIST_LIMIT)
                    .append(" more: GET /api/v1/incidents");
              }
              return Reply.toCaller(sb.toString().trim());
            });
  }

  private Future<Reply> show(IncidentId id, Instant now) {
    return d.incidents()
        .get(id)
        .compose(
            found -> {
              Incident i = found.orElseThrow(() -> IncidentException.notFound(id));
              return d.incidents()
                  .timeline(id)
                  .map(
                      events -> {
                        StringBuilder sb =
                            new StringBuilder("*")
                                .append(i.id())
                                .append(": ")
                                .append(Mrkdwn.escape(i.title()))
                                .append("*\n")
                                .append(i.severity().wire())
                                .append(" · ")
                                .append(i.status().wire())
                                .append(" · team ")
                                .append(i.team() == null ? "none" : Mrkdwn.escape(i.team()))
                                .append(" · type ")
                                .append(Mrkdwn.escape(i.type()))
                                .append(" · ")
                                .append(i.firingCount())
                                .append(" of ")
                                .append(i.alertCount())
                                .append(" alert(s) firing · opened ")
                                .append(utc(i.openedAt()))
                                .append(" (")
                                .append(ago(i.openedAt(), now))
                                .append(" ago)\n");
                        if (i.acknowledgedBy() != null) {
                          sb.append("Acknowledged by ")
                              .append(Actor.mention(i.acknowledgedBy()))
                              .append(" at ")
                              .append(utc(i.acknowledgedAt()))
                              .append('\n');
                        }
                        if (i.resolvedBy() != null) {
                          sb.append("Resolved by ")
                              .append(Actor.mention(i.resolvedBy()))
                              .append(" at ")
                              .append(utc(i.resolvedAt()))
                              .append('\n');
                        }
                        List<TimelineEvent> last =
                            events.subList(Math.max(0, events.size() - 8), events.size());
                        sb.append("*Latest timeline*\n");
                        last.forEach(
                            e ->
                                sb.append("• ")
                                    .append(utc(e.at()))
                                    .append(" ")
                                    .append(e.kind())
                                    .append(" (")
                                    .append(Actor.mention(e.by()))
                                    .append("): ")
                                    .append(Mrkdwn.escape(e.text()))
                                    .append('\n'));
                        return Reply.toCaller(sb.toString().trim());
                      });
            });
  }

  /** Who is on call at the instant and the next handoff, with each team's local time. */
  private String oncall(OnCall oc, boolean now) {
    StringBuilder sb = new StringBuilder();
    sb.append(now ? "*On call now* (" : "*On call at* ")
        .append(utc(oc.at()))
        .append(now ? ")" : "")
        .append(": ");
    if (oc.active().isEmpty()) {
      sb.append("nobody: no window covers this time and there is no fallbackTeam");
    } else {
      sb.append(
          oc.active().stream()
              .map(t -> "*" + t + "* (" + local(t, oc.at()) + ")")
              .collect(Collectors.joining(", ")));
      if (oc.fallback()) {
        sb.append(", as the fallback team: no window covers this time");
      }
      oc.override()
          .ifPresent(
              o ->
                  sb.append(", by override #")
                      .append(o.id())
                      .append(" until ")
                      .append(utc(o.until()))
                      .append(" (set by ")
                      .append(Actor.mention(o.by()))
                      .append(")"));
    }
    sb.append('\n');
    sb.append(
        oc.next()
            .map(
                h ->
                    "*Next handoff*: *"
                        + h.team()
                        + "* at "
                        + utc(h.at())
                        + " ("
                        + local(h.team(), h.at())
                        + "), in "
                        + Durations.format(Duration.between(oc.at(), h.at()).withNanos(0)))
            .orElse("*Next handoff*: none in the next " + Resolver.LOOK_AHEAD.toDays() + " days"));
    List<Team> all = d.resolver().schedule().teams();
    if (!all.isEmpty()) {
      sb.append("\nLocal times: ")
          .append(
              all.stream()
                  .map(t -> t.id() + " " + local(t, oc.at()))
                  .collect(Collectors.joining(" · ")));
    }
    return sb.toString();
  }

  private String local(TeamId id, Instant t) {
    return d.resolver().schedule().team(id).map(team -> local(team, t)).orElse(id.value());
  }

  private static String local(Team team, Instant t) {
    return team.timezone().getId() + " " + LOCAL.format(t.atZone(team.timezone()));
  }

  private String teams() {
    return d.resolver().schedule().teams().stream()
        .map(t -> t.id().value())
        .collect(Collectors.joining(", "));
  }

  static String utc(Instant t) {
    return LOCAL.format(t.atZone(ZoneOffset.UTC)) + " UTC";
  }

  private static String ago(Instant t, Instant now) {
    Duration d = Duration.between(t, now);
    if (d.isNegative() || d.toSeconds() < 60) {
      return "<1m";
    }
    return Durations.format(
        d.toHours() >= 1 ? Duration.ofMinutes(d.toMinutes()) : Duration.ofMinutes(d.toMinutes()));
  }
}
