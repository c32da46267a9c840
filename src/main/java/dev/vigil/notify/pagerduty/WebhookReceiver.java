package dev.vigil.notify.pagerduty;

import dev.vigil.config.Durations;
import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.Source;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.notify.NotificationIntent;
import dev.vigil.notify.Outbox;
import dev.vigil.web.SeenRequests;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies verified PagerDuty v3 webhook events to Vigil's incidents, through the incident store
 * like every other source, so the pipeline hears of each change (marked {@link Source#PAGERDUTY}:
 * it updates Slack and stops or resumes escalation, and is not sent back to PagerDuty).
 *
 * <p>Order for one event: an event type Vigil does not act on is {@link Outcome#IGNORED}; an {@code
 * event.id} seen before is a {@link Outcome#DUPLICATE} (the memory is the store's, so a re-delivery
 * after a restart or to another replica is refused too); then the incident is found by {@code
 * data.incident_key}, the {@code dedup_key} Vigil sent, and only if Vigil paged it through
 * PagerDuty (another tool's, or another Vigil's, incident with a key that looks like ours is {@link
 * Outcome#UNKNOWN_INCIDENT}); a note, which names the incident by PagerDuty's id only, is found
 * through the {@link IncidentLinks} learnt from earlier events. A change that is already so (an
 * acknowledgement Vigil itself sent to PagerDuty, coming back) is {@link Outcome#NO_CHANGE}. When
 * applying fails (the store), the event id is forgotten again and the future fails, so that
 * PagerDuty's retry is applied. Never blocks.
 */
public final class WebhookReceiver {
  private static final Logger log = LoggerFactory.getLogger(WebhookReceiver.class);

  /** How long an event id is remembered: far longer than PagerDuty keeps re-delivering an event. */
  static final Duration REMEMBER = Duration.ofDays(7);

  /**
   * How long an event is claimed by the delivery applying it, before that delivery counts as lost.
   */
  static final Duration CLAIM = Duration.ofMinutes(2);

  /**
   * Events that occurred longer ago than this are not applied: their ids may already be forgotten.
   */
  static final Duration STALE_AFTER = REMEMBER.minusDays(1);

  /** Timeline text from PagerDuty (a note) is cut here. */
  static final int TEXT_LIMIT = 4000;

  /**
   * The event types Vigil acts on; {@code incident.triggered} only teaches PagerDuty's id of the
   * incident.
   */
  public static final Set<String> TYPES =
      Set.of(
          "incident.triggered",
          "incident.acknowledged",
          "incident.unacknowledged",
          "incident.resolved",
          "incident.annotated",
          "incident.reassigned",
          "incident.escalated");

  /**
   * What became of an event; the wire form is the metric label and the answer's {@code outcome}.
   */
  public enum Outcome {
    APPLIED,
    NO_CHANGE,
    DUPLICATE,
    UNKNOWN_INCIDENT,
    IGNORED,
    /**
     * An earlier delivery of the event is being applied (or its process died doing so): answered
     * 503, PagerDuty retries.
     */
    IN_PROGRESS,
    /**
     * Older than the memory of event ids (a replay of a captured delivery, or one held back for
     * days): not applied.
     */
    STALE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  private final IncidentStore incidents;
  private final Outbox outbox;
  private final IncidentLinks links;
  private final SeenRequests seen;
  private final Clock clock;

  public WebhookReceiver(
      IncidentStore incidents, Outbox outbox, IncidentLinks links, SeenRequests seen, Clock clock) {
    this.incidents = incidents;
    this.outbox = outbox;
    this.links = links;
    this.seen = seen;
    this.clock = clock;
  }

  public Future<Outcome> receive(Webhooks.Event e) {
    if (!TYPES.contains(e.type())) {
      return Future.succeededFuture(Outcome.IGNORED);
    }
    String key = "pagerduty:" + e.id();
    Instant now = clock.instant();
    if (e.occurredAt().isPresent() && e.occurredAt().get().isBefore(now.minus(STALE_AFTER))) {
      log.atWarn()
          .addKeyValue("integration", "pagerduty")
          .log(
              "pagerduty: webhook event {} ({}) occurred at {}, over {} ago: not applied",
              e.id(),
              e.type(),
              e.occurredAt().get(),
              Durations.format(STALE_AFTER));
      return Future.succeededFuture(Outcome.STALE);
    }
    // claimed for a short while, remembered for REMEMBER only once applied: a process that dies
    // between the claim and
    // the change leaves a claim that lapses, and PagerDuty's retry is then applied instead of taken
    // for a duplicate
    return seen.firstSighting(key, now.plus(CLAIM))
        .compose(
            first ->
                !first
                    ? alreadySeen(key, now)
                    : incident(e, now)
                        .compose(
                            found ->
                                found
                                    .map(id -> apply(e, id, now))
                                    .orElseGet(
                                        () -> Future.succeededFuture(Outcome.UNKNOWN_INCIDENT)))
                        .compose(outcome -> seen.keep(key, now.plus(REMEMBER)).map(outcome))
                        .recover(
                            err ->
                                seen.forget(key)
                                    .transform(
                                        x -> {
                                          if (x.failed()) {
                                            log.atError()
                                                .addKeyValue("integration", "pagerduty")
                                                .log(
                                                    "pagerduty: webhook event "
                                                        + e.id()
                                                        + " failed and could not be"
                                                        + " forgotten; PagerDuty's retries are answered 503 until its claim lapses ("
                                                        + CLAIM.toSeconds()
                                                        + " s): "
                                                        + x.cause().getMessage());
                                          }
                                          return Future.<Outcome>failedFuture(err);
                                        })));
  }

  /**
   * A delivery of an event seen before: a duplicate once applied, in progress while only claimed
   * (or just forgotten).
   */
  private Future<Outcome> alreadySeen(String key, Instant now) {
    return seen.until(key)
        .map(
            u ->
                u.isPresent() && u.get().isAfter(now.plus(CLAIM))
                    ? Outcome.DUPLICATE
                    : Outcome.IN_PROGRESS);
  }

  /**
   * The Vigil incident the event is about, if Vigil paged it through PagerDuty; learns PagerDuty's
   * id for it on the way.
   */
  private Future<Optional<IncidentId>> incident(Webhooks.Event e, Instant now) {
    if (e.incidentKey().isEmpty()) {
      return e.pagerDutyId().isEmpty()
          ? Future.succeededFuture(Optional.empty())
          : links.find(e.pagerDutyId());
    }
    Optional<IncidentId> parsed = IncidentId.parse(e.incidentKey());
    if (parsed.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    IncidentId id = parsed.get();
    return outbox
        .forIncident(id)
        .compose(
            entries -> {
              boolean paged =
                  entries.stream()
                      .anyMatch(
                          o ->
                              o.intent().kind() == NotificationIntent.Kind.PAGE
                                  && o.intent().channels().contains("pagerduty"));
              if (!paged) {
                return Future.succeededFuture(Optional.<IncidentId>empty());
              }
              Future<Void> linked =
                  e.pagerDutyId().isEmpty()
                      ? Future.succeededFuture()
                      : links.link(e.pagerDutyId(), id, now);
              return linked.map(v -> Optional.of(id));
            });
  }

  private Future<Outcome> apply(Webhooks.Event e, IncidentId id, Instant now) {
    String by = "pagerduty:" + cut(e.agent().isBlank() ? "PagerDuty" : e.agent().strip(), 200);
    String where = "in PagerDuty" + (e.number() > 0 ? " (#" + e.number() + ")" : "");
    Future<?> change =
        switch (e.type()) {
          case "incident.acknowledged" ->
              incidents.acknowledge(id, by, where, now, Source.PAGERDUTY);
          case "incident.unacknowledged" ->
              incidents
                  .get(id)
                  .compose(
                      found -> {
                        // delivered after a later acknowledgement (PagerDuty does not promise
                        // order): the acknowledgement stands
                        Instant acked = found.map(Incident::acknowledgedAt).orElse(null);
                        if (acked != null
                            && e.occurredAt().isPresent()
                            && e.occurredAt().get().isBefore(acked)) {
                          return Future.failedFuture(
                              new IncidentException(
                                  IncidentException.Reason.CONFLICT,
                                  "acknowledged after this event occurred"));
                        }
                        return incidents.unacknowledge(id, by, where, now, Source.PAGERDUTY);
                      });
          case "incident.resolved" -> incidents.resolve(id, by, where, now, Source.PAGERDUTY);
          case "incident.annotated" ->
              e.note().isBlank()
                  ? null
                  : incidents.append(
                      id, new TimelineEvent(now, "note", by, cut(e.note(), TEXT_LIMIT)));
          case "incident.reassigned", "incident.escalated" ->
              incidents.append(
                  id,
                  new TimelineEvent(
                      now,
                      "pagerduty",
                      by,
                      (e.type().equals("incident.reassigned") ? "reassigned " : "escalated ")
                          + where
                          + (e.assignees().isEmpty()
                              ? ""
                              : " to " + cut(String.join(", ", e.assignees()), 500))));
          default -> null; // incident.triggered: the link above was all
        };
    if (change == null) {
      return Future.succeededFuture(Outcome.IGNORED);
    }
    return change
        .<Outcome>map(
            x -> {
              log.atInfo()
                  .addKeyValue("incident", id.toString())
                  .addKeyValue("integration", "pagerduty")
                  .log("pagerduty: {} {} by {}", e.type(), id, by);
              return Outcome.APPLIED;
            })
        .recover(
            err -> {
              if (err instanceof IncidentException ie) {
                // already so (an acknowledgement Vigil sent, coming back), or the incident is gone:
                // nothing to do, and nothing to retry
                return Future.succeededFuture(
                    ie.reason() == IncidentException.Reason.CONFLICT
                        ? Outcome.NO_CHANGE
                        : Outcome.UNKNOWN_INCIDENT);
              }
              return Future.failedFuture(err);
            });
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
