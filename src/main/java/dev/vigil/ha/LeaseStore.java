package dev.vigil.ha;

import io.vertx.core.Future;
import java.time.Instant;

/** Named leases for duties one replica at a time should do (table {@code leases}). */
public interface LeaseStore {

  /**
   * Takes lease {@code name} for {@code owner} until {@code expires} if nobody holds it, its
   * holder's time ran out at {@code now}, or {@code owner} holds it already (a renewal). True if
   * {@code owner} holds it now.
   */
  Future<Boolean> acquire(String name, String owner, Instant now, Instant expires);

  /** Gives the lease up if {@code owner} holds it, so another replica may take it at once. */
  Future<Void> release(String name, String owner);
}
