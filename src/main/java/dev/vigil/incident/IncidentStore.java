package dev.vigil.incident;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable incidents, their alerts and timelines. Every method returns a future completed once the
 * change is committed; nothing blocks the caller's thread. Every write is published, once
 * committed, as {@link IncidentEvent}s to the pipeline the store was built with: whoever writes
 * (ingest, the API, Slack, heartbeats, runbooks), every later stage hears of it.
 */
public interface IncidentStore {

  /**
   * Stores a batch of webhook requests in one transaction: new alerts are inserted, repeats
   * ignored, resolved alerts close their occurrence; alerts join the open incident of their group
   * or open one (decided by {@code triage}); an incident whose alerts are all resolved is resolved.
   * Fails as a whole if anything fails: then nothing of the batch was stored.
   */
  Future<IngestResult> ingest(List<List<AlertIntake>> requests, Triage triage, Instant now);

  /**
   * One request's alerts readied for {@link #ingest}: the same alerts, in order, with whatever the
   * store can work out from them alone (their JSON text) already worked out. The committer calls it
   * on the thread the request arrived on, so that this work runs beside the store's one writer, not
   * between its transactions. Must not block. By default the request as it is.
   */
  default List<AlertIntake> prepare(List<AlertIntake> request) {
    return request;
  }

  /**
   * {@link #ingest(List, Triage, Instant)}, running {@code committed} (on any thread; it must not
   * block) once the batch is committed, which is usually before the future completes: on SQLite the
   * future waits for the log to be synced, and the next batch can start meanwhile (ADR 0146, 0150),
   * though a quick sync can complete the future first. Run at most once, never for a batch that
   * failed to commit; a batch can still fail after it (its log could not be synced). By default,
   * when the future succeeds.
   */
  default Future<IngestResult> ingest(
      List<List<AlertIntake>> requests, Triage triage, Instant now, Runnable committed) {
    return ingest(requests, triage, now).onSuccess(r -> committed.run());
  }

  Future<List<Incident>> list(IncidentQuery query);

  Future<Optional<Incident>> get(IncidentId id);

  Future<List<StoredAlert>> alerts(IncidentId id);

  Future<List<TimelineEvent>> timeline(IncidentId id);

  /** Fails with {@link IncidentException} (not found, or already acknowledged or resolved). */
  Future<Incident> acknowledge(IncidentId id, String by, String text, Instant now);

  /** Fails with {@link IncidentException} (not found, or already resolved). */
  Future<Incident> resolve(IncidentId id, String by, String text, Instant now);

  /**
   * {@link #acknowledge(IncidentId, String, String, Instant)} made in {@code source}, published
   * with it. A store that knows only Vigil's own changes refuses other sources.
   */
  default Future<Incident> acknowledge(
      IncidentId id, String by, String text, Instant now, Source source) {
    return source == Source.VIGIL ? acknowledge(id, by, text, now) : unsupported(source);
  }

  /**
   * {@link #resolve(IncidentId, String, String, Instant)} made in {@code source}, published with
   * it.
   */
  default Future<Incident> resolve(
      IncidentId id, String by, String text, Instant now, Source source) {
    return source == Source.VIGIL ? resolve(id, by, text, now) : unsupported(source);
  }

  /**
   * Puts an acknowledged incident back to triggered (its acknowledgement is cleared), published as
   * {@link IncidentEvent.Unacknowledged} so escalation resumes. Fails with {@link
   * IncidentException} (not found, or not acknowledged: triggered already, or resolved).
   */
  default Future<Incident> unacknowledge(
      IncidentId id, String by, String text, Instant now, Source source) {
    return unsupported(source);
  }

  private static <T> Future<T> unsupported(Source source) {
    return Future.failedFuture(
        new UnsupportedOperationException("this incident store takes no changes from " + source));
  }

  /** Appends a note (or any other line) to the timeline; fails if the incident does not exist. */
  Future<TimelineEvent> append(IncidentId id, TimelineEvent event);

  /**
   * Appends a line saying that one of the incident's runbook runs was created, started or finished
   * (published as {@link IncidentEvent.RunChanged}, so the incident's messages show the run's
   * status).
   */
  default Future<TimelineEvent> runLine(IncidentId id, TimelineEvent event) {
    return append(id, event);
  }
}
