package dev.vigil.escalation;

import dev.vigil.config.Durations;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentStatus;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an {@link EscalationPlanner.Plan} writes, as a {@link Transition} to commit: a timeline line
 * for each level skipped (nobody on call, or a team without a channel), a page intent and an {@code
 * escalated} line for each team paged, and {@code escalation-exhausted} when nobody could be paged.
 * Pure: a function of the incident, the policy and the plan.
 */
final class Transitions {
  static final String ACTOR = "escalation";

  private Transitions() {}

  /**
   * The plan's transition from {@code expected} (null: no escalation stored yet), after the {@code
   * prefix} lines (why the step is taken).
   */
  static Transition of(
      Incident inc,
      EscalationState expected,
      Policy policy,
      List<TimelineEvent> prefix,
      EscalationPlanner.Plan plan) {
    Instant now = plan.at();
    boolean triggered = inc.status() == IncidentStatus.TRIGGERED;
    List<TimelineEvent> events = new ArrayList<>(prefix);
    List<NotificationIntent> intents = new ArrayList<>();
    EscalationState next = plan.next();
    for (EscalationPlanner.LevelPlan level : plan.levels()) {
      Target target = level.level().target();
      if (level.targets().isEmpty()) {
        events.add(
            new TimelineEvent(
                now,
                "escalation-skipped",
                ACTOR,
                level.name()
                    + " (notify "
                    + target
                    + ") skipped: nobody is on call"
                    + (target instanceof Target.Next ? " next" : "")));
        continue;
      }
      for (TeamId t : level.noChannel()) {
        events.add(
            new TimelineEvent(
                now,
                "escalation-skipped",
                ACTOR,
                level.name()
                    + " (notify "
                    + target
                    + ") skipped team "
                    + t
                    + ": it has no Slack channel or PagerDuty routing key configured"));
      }
      for (Team t : level.paged()) {
        intents.add(page(inc, policy, level.step(), t));
        events.add(
            new TimelineEvent(
                now,
                "escalated",
                ACTOR,
                level.name()
                    + ": paging team "
                    + t.id()
                    + " (notify "
                    + target
                    + ", via "
                    + String.join(", ", t.channels().kinds())
                    + ")"
                    + (next.dueAt() == null
                        ? (triggered ? "; this is the last level" : "")
                        : "; next level in "
                            + Durations.format(level.level().ackTimeout())
                            + " unless acknowledged")));
      }
    }
    if (plan.paged().isEmpty()) {
      events.add(
          new TimelineEvent(
              now,
              "escalation-exhausted",
              ACTOR,
              "no level of policy " + policy.name() + " could be paged: nobody was notified"));
    }
    return new Transition(inc.id(), expected, next, events, intents);
  }

  /** The page intent of one team at {@code step}, keyed so that a repeated commit adds nothing. */
  static NotificationIntent page(Incident inc, Policy policy, int step, Team team) {
    int level = Math.min(step, policy.levels().size() - 1) + 1;
    JsonObject payload =
        new JsonObject()
            .put("incident", inc.id().toString())
            .put("title", inc.title())
            .put("severity", inc.severity().wire())
            .put("type", inc.type())
            .put("policy", policy.name())
            .put("step", step)
            .put("team", team.id().value());
    if (!team.channels().slackChannel().isEmpty()) {
      payload.put("slackChannel", team.channels().slackChannel());
    }
    return new NotificationIntent(
        "page:" + inc.id() + ":" + step + ":" + team.id(),
        NotificationIntent.Kind.PAGE,
        inc.id(),
        team.id(),
        level,
        team.channels().kinds(),
        payload.encode());
  }
}
