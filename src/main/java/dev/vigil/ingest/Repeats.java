package dev.vigil.ingest;

import dev.vigil.incident.AlertIntake;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IngestResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@link GroupCommitter}'s memory of the alert occurrences it committed, and what it makes of a
 * request with it: an alert stored with the same status is a repeat, answered from memory, never
 * queued. Bounded (the newest {@link #REMEMBERED} occurrences always, at most twice that; {@link
 * RepeatMemory}), and each entry forgotten {@link #REMEMBER_FOR} after it was written, which bounds
 * how long a replica can miss a status change that another replica stored (ADR 0120).
 *
 * <p>{@link #split} runs on any thread; {@link #remember} and {@link #forget} on the committer's
 * context only (one thread writes the memory).
 */
final class Repeats {
  /** Alert occurrences remembered, at least (the newest); at most twice as many. */
  static final int REMEMBERED = 200_000;

  /** How long an occurrence is remembered after it was last committed. */
  static final Duration REMEMBER_FOR = Duration.ofMinutes(10);

  private final RepeatMemory known =
      new RepeatMemory(REMEMBERED, REMEMBER_FOR.toNanos(), System::nanoTime);
  private final Counter repeats;

  Repeats(MeterRegistry metrics) {
    this.repeats =
        Counter.builder("vigil_alerts_repeated_total")
            .description(
                "Alerts answered from memory: unchanged repeats of an occurrence already stored")
            .register(metrics);
  }

  /**
   * A request split in two: the alerts for the store ({@link #fresh}), and the incidents of its
   * repeats in the request's order, with one null where the fresh alerts' incidents go.
   */
  record Split(List<AlertIntake> fresh, List<IncidentId> order) {
    /** The request's incidents, once its fresh alerts are committed into {@code committed}. */
    List<IncidentId> answer(List<IncidentId> committed) {
      Set<IncidentId> out = new LinkedHashSet<>();
      for (IncidentId id : order) {
        if (id == null) {
          out.addAll(committed);
        } else {
          out.add(id);
        }
      }
      return List.copyOf(out);
    }
  }

  /** Splits {@code alerts} into repeats and the alerts the store must see; counts the repeats. */
  Split split(List<AlertIntake> alerts) {
    List<IncidentId> order = new ArrayList<>();
    List<AlertIntake> fresh = new ArrayList<>(alerts.size());
    for (AlertIntake a : alerts) {
      RepeatMemory.Known k =
          a.startsAtImplicit() ? null : known.get(a.alert().fingerprint(), a.alert().startsAt());
      if (k != null && k.status() == a.alert().status()) {
        order.add(k.incident());
      } else {
        if (fresh.isEmpty()) {
          order.add(null);
        }
        fresh.add(a);
      }
    }
    if (fresh.size() < alerts.size()) {
      repeats.increment(alerts.size() - fresh.size());
    }
    return new Split(fresh, order);
  }

  /** Remembers every occurrence the commit named, as it is now stored. */
  void remember(IngestResult result) {
    for (IngestResult.StoredState st : result.stored()) {
      Instant startsAt = Rfc3339.parse(st.startsAt()); // as the store wrote it (InstantText)
      if (startsAt != null) {
        known.put(st.fingerprint(), startsAt, st.status(), st.incident());
      }
    }
  }

  /**
   * Forgets the occurrences of {@code alerts}: whatever their senders send next goes to the store.
   */
  void forget(List<AlertIntake> alerts) {
    for (AlertIntake a : alerts) {
      if (!a.startsAtImplicit()) {
        known.forget(a.alert().fingerprint(), a.alert().startsAt());
      }
    }
  }
}
