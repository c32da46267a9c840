package dev.vigil.oncall;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The overrides in force, kept in memory for code that must not wait for the store (triage runs
 * inside the ingest transaction) and written through to the {@link OverrideStore}. Expired
 * overrides stay in the snapshot until the next refresh, which is harmless: an expired override is
 * never active. Thread-safe.
 */
public final class Overrides {
  private final OverrideStore store;
  private final Clock clock;
  private volatile List<ScheduleOverride> snapshot = List.of();

  public Overrides(OverrideStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The overrides known at the last refresh or change. */
  public List<ScheduleOverride> snapshot() {
    return snapshot;
  }

  public Future<List<ScheduleOverride>> refresh() {
    return store
        .current(clock.instant())
        .map(
            list -> {
              snapshot = List.copyOf(list);
              return snapshot;
            });
  }

  /** Stores an override for {@code team} from {@code from} until {@code until}. */
  public Future<ScheduleOverride> add(
      TeamId team, Instant from, Instant until, String by, String reason) {
    if (!until.isAfter(from)) {
      return Future.failedFuture(
          new IllegalArgumentException("an override must end after it starts"));
    }
    return store
        .add(new ScheduleOverride(0, team, from, until, by, reason, clock.instant()))
        .compose(o -> refresh().map(o));
  }

  public Future<Boolean> remove(long id) {
    return store.remove(id).compose(found -> refresh().map(found));
  }
}
