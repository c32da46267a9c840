package dev.vigil.runbook.engine;

import dev.vigil.incident.IncidentId;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Durable runs. Every write completes its future only once committed; writes may be grouped into
 * one transaction with others (group commit), which is what makes thousands of step transitions per
 * second affordable on SQLite. With replicas sharing the store, {@link #saveStep} and {@link
 * #saveRun} apply only while this replica holds the run, and otherwise fail with {@link LeaseLost}.
 */
public interface RunStore {

  /**
   * Stores a new run with all its steps pending; the id is assigned here ({@code run.id()} is
   * ignored). An incident has at most one automatic run (started by {@code auto}): a second one
   * fails with {@link AlreadyDecided} and stores nothing.
   */
  Future<RunId> create(RunRecord run);

  /**
   * A write refused because another replica holds the run now (this one could not renew its lease
   * in time, e.g. during a long pause): nothing was written, and this replica must drop the run.
   */
  final class LeaseLost extends RuntimeException {
    public LeaseLost(String run, String replica) {
      super(
          "run "
              + run
              + " is no longer held by replica "
              + replica
              + ": another replica took it over",
          null,
          false,
          false);
    }
  }

  /** Another replica (or an earlier sweep) already started the incident's automatic run. */
  final class AlreadyDecided extends RuntimeException {
    public AlreadyDecided(String incident) {
      super("incident " + incident + " already has its automatic run", null, false, false);
    }
  }

  Future<Void> saveStep(RunId run, StepRun step);

  Future<Void> saveRun(
      RunId run,
      RunStatus status,
      Instant startedAt,
      Instant endedAt,
      Instant deadline,
      String error);

  /**
   * Whether other replicas work on this store's runs too (PostgreSQL). Then no replica's memory
   * sees every run of a concurrency key, and the engine asks {@link #admit} for a slot instead of
   * counting.
   */
  boolean shared();

  /**
   * Starts a pending run if its concurrency key has a free slot, counted over every replica: fewer
   * than {@code limit} runs of {@code key} are {@code running} or {@code waiting} (those of a dead
   * replica included, until they are taken over and end). Admitted, the run is stored {@code
   * running} with {@code startedAt} and {@code deadline}, in the same transaction as the count;
   * admissions of one key are serialized across replicas, so two of them cannot both take the last
   * slot. Completes with whether the run was admitted (refused: nothing was written); fails with
   * {@link LeaseLost} if another replica holds the run.
   */
  Future<Boolean> admit(RunId run, String key, int limit, Instant startedAt, Instant deadline);

  /** Runs not finished yet (pending, running, waiting), oldest first, with their steps. */
  Future<List<RunRecord>> unfinished();

  /**
   * Unfinished runs this process should work on now, oldest first, with their steps; they are
   * leased to it. Alone on its store, that is every unfinished run at start and none later. When
   * replicas share the store: runs no replica holds (released at a graceful stop, or their lease
   * ran out because their replica died), plus, at start, those a previous process with this
   * replica's id held.
   */
  Future<List<RunRecord>> claim(Instant now, boolean atStart);

  /**
   * Extends this replica's leases (replicas sharing a store); completes with the unfinished runs it
   * holds.
   */
  Future<Set<RunId>> renew(Instant now);

  /**
   * Gives up this replica's leases (graceful stop), so another replica resumes its runs without
   * waiting for them to run out.
   */
  Future<Void> release();

  Future<Optional<RunRecord>> get(RunId id);

  /**
   * The runs that match the query, newest first, with their steps and without their source text.
   */
  Future<List<RunRecord>> list(RunQuery query);

  /** The runs of an incident, oldest first, without their source text. */
  Future<List<RunRecord>> forIncident(IncidentId incident);

  /**
   * Statuses of the last {@code window} finished runs of this runbook version, newest first (dry
   * runs not counted).
   */
  Future<List<RunStatus>> recentOutcomes(String runbook, String version, int window);

  /**
   * Open incidents opened at or after {@code since} and before {@code before} that have no run and
   * were not offered a runbook: those whose runbook decision was lost in a crash right after their
   * commit.
   */
  Future<List<IncidentId>> undecided(Instant since, Instant before);

  /** Records that the rollout guard switched this runbook version to manual. */
  Future<Void> trip(String runbook, String version, String reason, Instant at);

  /** Runbook name → the version the guard switched to manual, with the reason. */
  Future<Map<String, Trip>> trips();

  record Trip(String version, String reason, Instant at) {}
}
