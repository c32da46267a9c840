package dev.vigil.notify;

import dev.vigil.incident.TimelineEvent;
import dev.vigil.ports.Failures;
import dev.vigil.telemetry.Tracing;
import dev.vigil.timer.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: every pending intent whose attempt is due goes to each integration it needs
 * ({@link #targets}) that has not taken it yet; the outcome of each attempt is stored with the
 * intent, and written to the incident's timeline, in one transaction.
 *
 * <p>Order of one attempt: deliver to each remaining integration in turn (PagerDuty, then a team's
 * webhook, then Slack); those that took it, or refused it for good (PagerDuty 400), are {@link
 * OutboxEntry#done() done}, and what each returned ({@link Receipt#fields()}) is stored with the
 * intent. A page PagerDuty or the webhook cannot take because its circuit is open (or after its
 * last attempt) goes to Slack once, marked as a fallback, while it keeps being retried. With
 * nothing left the intent is finished; otherwise the next attempt is set by the {@link RetryPolicy}
 * (backoff with jitter, bounded), or the intent fails for good, with a timeline line that says
 * which integration, what and why.
 *
 * <p>Durability: the intent is a row before any attempt, and an attempt's outcome is written after
 * it. A crash in between leaves the row pending with its old due time, so the attempt is made again
 * after the restart; the integrations make that harmless (PagerDuty's {@code dedup_key} is the
 * incident id; Slack updates the stored message when it has one).
 *
 * <p>Acknowledge and resolve intents of an incident wait until its pages have left the outbox, so a
 * resolve never overtakes its trigger. {@link #drain()} may be called from any thread; it never
 * blocks.
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  private static final int BATCH = 200;
  public static final String FALLBACK = "fallback";

  private final Outbox outbox;
  private final Map<String, Notifier> notifiers;
  private final Notifier logSink;
  private final RetryPolicy retry;
  private final Scheduler scheduler;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final DoubleSupplier random;
  private final Tracing tracing;
  private final DeliveryWatch watch;
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
  private Future<List<Future<Void>>> fetching;
  private boolean again;

  /**
   * @param notifiers the configured integrations by {@link Notifier#integration()}; an intent
   *     naming one that is not here (Slack with no token) goes to {@code logSink}
   */
  public Dispatcher(
      Outbox outbox,
      List<Notifier> notifiers,
      Notifier logSink,
      RetryPolicy retry,
      Scheduler scheduler,
      Clock clock,
      MeterRegistry metrics,
      DoubleSupplier random,
      Tracing tracing) {
    this(
        outbox,
        notifiers,
        logSink,
        retry,
        scheduler,
        clock,
        metrics,
        random,
        tracing,
        new DeliveryWatch(outbox));
  }

  /**
   * @param watch told of every outcome stored, for those waiting for an intent to settle
   */
  public Dispatcher(
      Outbox outbox,
      List<Notifier> notifiers,
      Notifier logSink,
      RetryPolicy retry,
      Scheduler scheduler,
      Clock clock,
      MeterRegistry metrics,
      DoubleSupplier random,
      Tracing tracing,
      DeliveryWatch watch) {
    this.tracing = tracing;
    this.watch = watch;
    this.outbox = outbox;
    this.notifiers = new LinkedHashMap<>();
    notifiers.forEach(n -> this.notifiers.put(n.integration(), n));
    this.logSink = logSink;
    this.retry = retry;
    this.scheduler = scheduler;
    this.clock = clock;
    this.metrics = metrics;
    this.random = random;
  }

  /**
   * Starts an attempt for every intent due now that is not being delivered already; the future
   * completes when those attempts have finished (successful or not) and holds how many there were.
   * Calls do not overlap in reading the outbox: one made while another reads returns that one's
   * future and another read follows it.
   */
  public Future<Integer> drain() {
    Future<List<Future<Void>>> started;
    synchronized (this) {
      if (fetching != null) {
        again = true;
        started = fetching;
      } else {
        fetching = outbox.due(clock.instant(), BATCH).map(this::startAll);
        started = fetching;
        fetching.onComplete(
            ar -> {
              boolean more;
              synchronized (this) {
                fetching = null;
                more = again;
                again = false;
              }
              if (ar.failed()) {
                log.atError()
                    .setCause(ar.cause())
                    .log("notify: reading the outbox failed: " + ar.cause().getMessage());
              }
              if (more) {
                drain();
              }
            });
      }
    }
    return started.compose(
        list -> Future.join(list).transform(ar -> Future.succeededFuture(list.size())));
  }

  /**
   * Extends this replica's claims on the intents being delivered now (replicas sharing the store).
   */
  public Future<Void> renewClaims() {
    return outbox.renewClaims(clock.instant(), Set.copyOf(inFlight));
  }

  private List<Future<Void>> startAll(List<OutboxEntry> due) {
    List<Future<Void>> out = new ArrayList<>();
    for (OutboxEntry e : due) {
      if (inFlight.add(e.id())) {
        Future<Void> f;
        try {
          f = attempt(e);
        } catch (RuntimeException x) {
          f = Future.failedFuture(x);
        }
        out.add(
            f.onComplete(
                ar -> {
                  inFlight.remove(e.id());
                  watch.recorded(e.intent().key());
                  if (ar.failed()) {
                    log.atError()
                        .addKeyValue("incident", incident(e))
                        .setCause(ar.cause())
                        .log(
                            "notify: recording the outcome of "
                                + e.intent().key()
                                + " failed (it will be tried again): "
                                + ar.cause().getMessage());
                  }
                }));
      }
    }
    return out;
  }

  /** The integrations an intent needs, in order. */
  static List<String> targets(NotificationIntent i) {
    return switch (i.kind()) {
      case PAGE -> i.channels().isEmpty() ? List.of("log") : i.channels();
      case DIGEST, MESSAGE -> i.channels().contains("slack") ? List.of("slack") : List.of("log");
      case UPDATE -> i.channels();
    };
  }

  private Future<Void> attempt(OutboxEntry e) {
    if (e.intent().kind() == NotificationIntent.Kind.UPDATE && e.intent().incident() != null) {
      return outbox
          .forIncident(e.intent().incident())
          .compose(
              all -> {
                boolean pageWaiting =
                    all.stream()
                        .anyMatch(
                            o ->
                                o.id() < e.id()
                                    && o.intent().kind() == NotificationIntent.Kind.PAGE
                                    && o.status() == OutboxEntry.Status.PENDING);
                // left pending without an attempt: the next drain looks again (the trigger goes
                // first)
                return pageWaiting ? Future.<Void>succeededFuture() : deliver(e);
              });
    }
    return deliver(e);
  }

  private Future<Void> deliver(OutboxEntry e) {
    Attempt a = new Attempt(e);
    Future<Void> chain = Future.succeededFuture();
    for (String target : targets(e.intent())) {
      if (e.done().contains(target)) {
        continue;
      }
      chain =
          chain.compose(
              v -> {
                // one span per integration and attempt, in the incident's trace
                Span span =
                    tracing
                        .start("vigil.notify", e.intent().incident())
                        .setAttribute("notify.integration", target)
                        .setAttribute("notify.kind", e.intent().kind().wire())
                        .setAttribute("notify.level", e.intent().level())
                        .setAttribute("notify.attempt", e.attempts() + 1);
                return notifier(target)
                    .deliver(e, tracing.headers(span))
                    .transform(
                        ar -> {
                          Tracing.end(
                              span,
                              ar.succeeded() ? "delivered" : "failed",
                              ar.succeeded() ? null : ar.cause().getMessage());
                          a.record(
                              target,
                              ar.succeeded() ? ar.result() : null,
                              ar.succeeded() ? null : ar.cause(),
                              span);
                          return Future.<Void>succeededFuture();
                        });
              });
    }
    return chain.compose(v -> a.fallbackIfNeeded()).compose(v -> a.commit());
  }

  private Notifier notifier(String target) {
    return notifiers.getOrDefault(target, logSink);
  }

  /** One attempt's bookkeeping: what each integration did, then the stored outcome. */
  private final class Attempt {
    final OutboxEntry entry;
    final NotificationIntent intent;
    final Set<String> done;
    final List<String> delivered = new ArrayList<>();
    final Map<String, DeliveryException> refused = new LinkedHashMap<>();
    final Map<String, DeliveryException> failed = new LinkedHashMap<>();
    final List<TimelineEvent> events = new ArrayList<>();
    final Map<String, Map<String, String>> receipts;

    Attempt(OutboxEntry entry) {
      this.entry = entry;
      this.intent = entry.intent();
      this.done = new LinkedHashSet<>(entry.done());
      this.receipts = new LinkedHashMap<>(entry.receipts());
    }

    /**
     * @param span the delivery's span, whose trace id goes on the log lines
     */
    void record(String target, Receipt receipt, Throwable failure, Span span) {
      if (failure == null) {
        done.add(target);
        if (!receipt.phrase().isEmpty()) {
          delivered.add(receipt.phrase());
        }
        if (!receipt.fields().isEmpty()) {
          receipts.put(target, receipt.fields());
        }
        count(target, "delivered");
        return;
      }
      DeliveryException d =
          failure instanceof DeliveryException x
              ? x
              : DeliveryException.transientFailure(target + ": " + Failures.describe(failure));
      if (d.permanent()) {
        done.add(target);
        refused.put(target, d);
        count(target, "failed");
        Tracing.withTraceId(log.atError(), span)
            .addKeyValue("incident", incident(entry))
            .addKeyValue("integration", target)
            .log("notify: " + intent.key() + " refused for good, not retried: " + d.getMessage());
      } else {
        failed.put(target, d);
        count(target, d.circuitOpen() ? "circuit_open" : "retried");
        Tracing.withTraceId(log.atWarn(), span)
            .addKeyValue("incident", incident(entry))
            .addKeyValue("integration", target)
            .addKeyValue("attempt", entry.attempts() + 1)
            .log(
                "notify: attempt "
                    + (entry.attempts() + 1)
                    + " of "
                    + intent.key()
                    + " failed: "
                    + d.getMessage());
      }
    }

    boolean lastAttempt() {
      return entry.attempts() + 1 >= retry.maxAttempts();
    }

    /**
     * PagerDuty or the team's webhook could not take a page now (its circuit is open, or this was
     * the last attempt): post the page to Slack once, marked as a fallback.
     */
    Future<Void> fallbackIfNeeded() {
      String which =
          failed.containsKey("pagerduty")
              ? "pagerduty"
              : failed.containsKey("webhook") ? "webhook" : null;
      DeliveryException pd = which == null ? null : failed.get(which);
      Notifier slack = notifiers.get("slack");
      if (intent.kind() != NotificationIntent.Kind.PAGE
          || pd == null
          || slack == null
          || done.contains(FALLBACK)
          || !(pd.circuitOpen() || lastAttempt())) {
        return Future.succeededFuture();
      }
      String name = which.equals("pagerduty") ? "PagerDuty" : "The team's webhook";
      return slack
          .fallback(entry, pd.getMessage())
          .transform(
              ar -> {
                if (ar.succeeded()) {
                  done.add(FALLBACK);
                  count("slack", "fallback");
                  events.add(
                      event(
                          "notify-fallback",
                          name
                              + " cannot take the page now ("
                              + pd.getMessage()
                              + "): posted to "
                              + ar.result()
                              + " as a fallback; "
                              + (which.equals("pagerduty") ? "PagerDuty" : "the webhook")
                              + " will be retried"));
                } else {
                  log.atError()
                      .addKeyValue("incident", incident(entry))
                      .addKeyValue("integration", "slack")
                      .log(
                          "notify: the Slack fallback for "
                              + intent.key()
                              + " failed too: "
                              + Failures.describe(ar.cause()));
                }
                return Future.<Void>succeededFuture();
              });
    }

    Future<Void> commit() {
      Instant now = clock.instant();
      // a refresh only re-renders Slack messages with what the timeline already says: not worth a
      // line of its own
      if (!delivered.isEmpty()
          && !(intent.kind() == NotificationIntent.Kind.UPDATE && status().equals("refresh"))) {
        events.add(0, event("notified", deliveredText()));
      }
      refused.forEach(
          (t, d) -> events.add(event("notify-failed", d.getMessage() + "; not retried")));
      String refusal =
          refused.isEmpty()
              ? null
              : String.join("; ", refused.values().stream().map(Throwable::getMessage).toList());
      if (failed.isEmpty()) {
        return outbox.finished(entry, done, receipts, refusal, now, events);
      }
      String error =
          String.join("; ", failed.values().stream().map(Throwable::getMessage).toList());
      Optional<Instant> next = retry.next(entry.attempts() + 1, now, random);
      if (next.isEmpty()) {
        int attempts = entry.attempts() + 1;
        failed.forEach(
            (t, d) -> {
              count(t, "failed");
              String what =
                  t
                      + ": "
                      + verb()
                      + " "
                      + subject()
                      + " failed after "
                      + attempts
                      + " attempt"
                      + (attempts == 1 ? "" : "s")
                      + ": "
                      + strip(t, d.getMessage());
              events.add(event("notify-failed", what + "; giving up"));
              log.atError()
                  .addKeyValue("incident", incident(entry))
                  .addKeyValue("integration", t)
                  .log("notify: " + what);
            });
        return outbox.attempted(
            entry, done, receipts, refusal == null ? error : refusal + "; " + error, null, events);
      }
      return outbox
          .attempted(entry, done, receipts, error, next.get(), events)
          .onSuccess(v -> scheduler.at(next.get(), () -> drain().mapEmpty()));
    }

    String deliveredText() {
      String via = String.join(", ", delivered);
      return switch (intent.kind()) {
        case PAGE ->
            "paged team "
                + intent.team()
                + (intent.level() > 0 ? " (level " + intent.level() + ")" : " (runbook step)")
                + " via "
                + via;
        case UPDATE -> "sent " + status() + " to " + via;
        case MESSAGE, DIGEST -> "message sent via " + via;
      };
    }

    String verb() {
      return switch (intent.kind()) {
        case PAGE -> "trigger";
        case UPDATE -> status();
        case DIGEST -> "digest";
        case MESSAGE -> "message";
      };
    }

    String subject() {
      return intent.incident() != null ? intent.incident().toString() : "for team " + intent.team();
    }

    String status() {
      try {
        return new JsonObject(intent.payload()).getString("status", "update");
      } catch (RuntimeException x) {
        return "update";
      }
    }

    TimelineEvent event(String kind, String text) {
      return new TimelineEvent(clock.instant(), kind, "notify", text);
    }
  }

  /** "pagerduty: HTTP 429" reads "HTTP 429" after "pagerduty: trigger INC-4 failed ...: ". */
  private static String strip(String integration, String message) {
    return message.startsWith(integration + ": ")
        ? message.substring(integration.length() + 2)
        : message;
  }

  private void count(String integration, String outcome) {
    if (metrics != null) {
      Counter.builder("vigil_notifications_total")
          .description("Notification attempts per integration and outcome")
          .tag("integration", integration)
          .tag("outcome", outcome)
          .register(metrics)
          .increment();
    }
  }

  private static String incident(OutboxEntry e) {
    return e.intent().incident() == null ? null : e.intent().incident().toString();
  }
}
