package dev.vigil.oncall;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/** Durable overrides. Futures complete once the change is committed. */
public interface OverrideStore {

  /** Stores a new override and returns it with its id. */
  Future<ScheduleOverride> add(ScheduleOverride override);

  /** Overrides not yet expired at {@code now} (including future ones), by start. */
  Future<List<ScheduleOverride>> current(Instant now);

  /** Deletes one; false when no override has that id. */
  Future<Boolean> remove(long id);
}
