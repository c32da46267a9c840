package dev.vigil.heartbeat;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/**
 * When each heartbeat was last seen and whether its incident is open, shared by every replica
 * (table {@code heartbeats}, migration V5): the replica that receives the Watchdog is not
 * necessarily the one whose alarm checks it.
 */
public interface HeartbeatStore {

  /** A heartbeat's stored state. */
  record State(Instant lastSeen, boolean missing) {}

  /**
   * At start: gives the heartbeat a last-seen time of at least {@code now} (a fresh grace period,
   * as Vigil could not receive it while down); a heartbeat stored for the first time is {@code
   * missing} if an incident for it is open already.
   */
  Future<Void> register(String name, Instant now, boolean missing);

  /**
   * The heartbeat arrived at {@code at}: it is not missing any more. True if it was missing (its
   * incident should be resolved).
   */
  Future<Boolean> seen(String name, Instant at);

  Future<Optional<State>> state(String name);

  /**
   * Marks the heartbeat missing if it still is as {@code read} (not missing, last seen then). True
   * for the one caller, among replicas racing, that should open the incident.
   */
  Future<Boolean> markMissing(String name, Instant lastSeen);
}
