package dev.vigil.ingest;

import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentId;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/** One request queued in the {@link GroupCommitter}: its alerts, its answer, where it came from. */
final class Pending {
  final List<AlertIntake> alerts;
  private final Promise<List<IncidentId>> promise;
  private final Context caller;

  /** Whether it has been answered; on the committer's context. */
  private boolean answered;

  Pending(List<AlertIntake> alerts, Promise<List<IncidentId>> promise, Context caller) {
    this.alerts = alerts;
    this.promise = promise;
    this.caller = caller;
  }

  List<AlertIntake> alerts() {
    return alerts;
  }

  /** What it counts against the queue limit: its alerts, at least one. */
  int counted() {
    return counted(alerts);
  }

  static int counted(List<AlertIntake> alerts) {
    return Math.max(1, alerts.size());
  }

  /** What {@code batch} counts against the queue limit. */
  static int countedIn(List<Pending> batch) {
    return batch.stream().mapToInt(Pending::counted).sum();
  }

  static int alertsIn(List<Pending> batch) {
    return batch.stream().mapToInt(p -> p.alerts.size()).sum();
  }

  /**
   * The groups and alerts it is about: two batches in flight together never share one ({@link
   * BatchQueue}).
   */
  List<String> keys() {
    List<String> keys = new ArrayList<>(alerts.size() * 2);
    for (AlertIntake a : alerts) {
      keys.add("g" + a.groupKey());
      keys.add("f" + a.alert().fingerprint());
    }
    return keys;
  }

  /**
   * Takes the right to answer it: true once, false for a request answered already (as stalled,
   * say). Whoever takes it uncounts the request and then {@link #complete}s it, in that order, so
   * that a sender that hears its answer never finds itself still counted as waiting, even if its
   * own callback throws. On the committer's context.
   */
  boolean claim() {
    if (answered) {
      return false;
    }
    answered = true;
    return true;
  }

  /**
   * Completes it with {@code ids}, or with {@code failure} if that is not null, on the context it
   * came from ({@code here}, the committer's, if it came from none).
   */
  void complete(List<IncidentId> ids, Throwable failure, Context here) {
    Runnable complete =
        () -> {
          if (failure == null) {
            promise.tryComplete(ids);
          } else {
            promise.tryFail(failure);
          }
        };
    if (caller == null || caller == here) {
      complete.run();
    } else {
      caller.runOnContext(v -> complete.run());
    }
  }
}
