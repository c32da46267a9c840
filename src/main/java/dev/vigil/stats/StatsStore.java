package dev.vigil.stats;

import io.vertx.core.Future;

/** Reads what {@link Stats} are computed from, from the durable store. Never blocks the caller. */
public interface StatsStore {
  Future<StatsInput> load(StatsQuery query);
}
