package dev.vigil.ha;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this replica is the leader: the holder of lease {@code leader}, for duties that should
 * run on one replica at a time (the sweep for incidents whose runbook decision was lost). On an
 * unshared store (SQLite) this process is always the leader. {@link #renew()} is called every
 * {@link Replica#renewEvery()}; a failed renewal (the database is down) gives up leadership here at
 * once, and the lease runs out in the database a little later, so two replicas never both act as
 * leader for longer than one renewal period.
 */
public final class Leadership {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);
  static final String LEASE = "leader";

  private final LeaseStore store;
  private final Replica replica;
  private final Clock clock;
  private volatile boolean leader;

  public Leadership(LeaseStore store, Replica replica, Clock clock) {
    this.store = store;
    this.replica = replica;
    this.clock = clock;
    this.leader = !replica.shared();
  }

  /** The replica this leadership is of. */
  public Replica replica() {
    return replica;
  }

  /** How often {@link #renew()} is called: {@link Replica#renewEvery()}. */
  public Duration renewEvery() {
    return replica.renewEvery();
  }

  public boolean isLeader() {
    return leader;
  }

  /** Takes or renews the lease; completes with whether this replica leads now. */
  public Future<Boolean> renew() {
    if (!replica.shared()) {
      return Future.succeededFuture(true);
    }
    Instant now = clock.instant();
    return store
        .acquire(LEASE, replica.id(), now, replica.expiry(now))
        .transform(
            ar -> {
              boolean leads = ar.succeeded() && ar.result();
              if (leads != leader) {
                log.atInfo()
                    .addKeyValue("replica", replica.id())
                    .log(
                        leads
                            ? "ha: this replica is now the leader"
                            : "ha: this replica is no longer the leader"
                                + (ar.failed()
                                    ? " (renewing its lease failed: "
                                        + ar.cause().getMessage()
                                        + ")"
                                    : ""));
              }
              leader = leads;
              return Future.succeededFuture(leads);
            });
  }

  /** Gives leadership up (graceful stop) so another replica takes it at its next renewal. */
  public Future<Void> release() {
    if (!replica.shared() || !leader) {
      return Future.succeededFuture();
    }
    leader = false;
    return store.release(LEASE, replica.id());
  }
}
